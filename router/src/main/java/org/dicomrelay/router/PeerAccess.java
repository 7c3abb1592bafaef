package org.dicomrelay.router;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.relay.bridge.AccessGrant;
import org.dicomrelay.relay.bridge.AccessGrants;
import org.dicomrelay.router.config.Service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which other router may use which service of the AE titles this router exports: the grants of
 * the Bridge's access matrix on its own titles, as the directory last gave them (verified, and
 * cached on disk for a start without the Bridge). Nothing granted, nothing allowed. A router run
 * without a Bridge ({@link #exportsOnly()}: tests, embedding) has only its export list.
 */
public final class PeerAccess {
    private static final System.Logger LOG = System.getLogger(PeerAccess.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The router whose AE titles these are; null for {@link #exportsOnly()}. */
    private final String owner;
    private volatile AccessGrants grants = AccessGrants.NONE;

    private PeerAccess(String owner) {
        this.owner = owner;
    }

    /** The access matrix of the Bridge decides, for the AE titles {@code ownRouterId} owns. */
    public static PeerAccess matrix(String ownRouterId) {
        return new PeerAccess(ownRouterId);
    }

    /** No matrix: every router whose messages are accepted may use what the export list allows. */
    public static PeerAccess exportsOnly() {
        return new PeerAccess(null);
    }

    boolean allows(String routerId, String aeTitle, Service s) {
        return owner == null || grants.services(routerId, aeTitle, owner).contains(s.toString());
    }

    /** Takes the grants on this router's own titles from a verified directory. */
    void replace(AccessGrants fromDirectory) {
        if (owner != null) grants = fromDirectory.on(owner);
    }

    void save(Path file) throws IOException {
        OwnerOnly.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(grants.grants()));
    }

    /** The cache an earlier run wrote (from a verified directory); none or unreadable, nothing granted until the next sync. */
    void load(Path file) {
        if (!Files.exists(file)) return;
        try {
            replace(new AccessGrants(JSON.readValue(file.toFile(), new TypeReference<List<AccessGrant>>() {})));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "access cache " + file + " is unreadable, nothing is granted to other routers until the next "
                    + "directory sync: " + org.dicomrelay.dicom.net.FailureText.of(e));
        }
    }
}
