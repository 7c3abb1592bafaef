package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.HybridDecrypt;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.signature.Ed25519Parameters;
import org.dicomrelay.dicom.io.OwnerOnly;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.GeneralSecurityException;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * A router's private keys: an HPKE keyset (X25519, HKDF-SHA256, AES-256-GCM) to receive envelopes
 * and an Ed25519 keyset to sign them. Only {@link #publicKeys} ever leaves the router.
 *
 * <p>{@link #save} stores both keysets <b>unencrypted</b> (Tink's cleartext keyset format, used
 * through {@link InsecureSecretKeyAccess}) in files only their owner may read or write (POSIX
 * 0600, or an owner-only ACL where POSIX permissions do not exist). Whoever can read those files
 * can read every message sent to this router; protecting them is the host's job (disk
 * encryption, a dedicated service account). Key material is never logged: {@link #toString}
 * names no key.
 */
public final class RouterKeys {
    /** File holding the HPKE private keyset (Tink binary keyset, cleartext). */
    public static final String HPKE_FILE = "hpke-private.tink";
    /** File holding the Ed25519 private keyset (Tink binary keyset, cleartext). */
    public static final String SIGNATURE_FILE = "signature-private.tink";

    static {
        Tink.ensureRegistered(); // before load() parses a keyset
    }

    private final KeysetHandle hpke;
    private final KeysetHandle signature;
    private final HybridDecrypt hybridDecrypt;
    private final PublicKeySign signer;

    private RouterKeys(KeysetHandle hpke, KeysetHandle signature) throws GeneralSecurityException {
        requireKeyType(hpke, HpkeParameters.class, "HPKE");
        requireKeyType(signature, Ed25519Parameters.class, "Ed25519");
        this.hpke = hpke;
        this.signature = signature;
        this.hybridDecrypt = hpke.getPrimitive(Tink.CONFIG, HybridDecrypt.class);
        this.signer = signature.getPrimitive(Tink.CONFIG, PublicKeySign.class);
    }

    /** Fresh keys from the system's secure random source. */
    public static RouterKeys generate() {
        try {
            return new RouterKeys(KeysetHandle.generateNew(Tink.HPKE), KeysetHandle.generateNew(Tink.SIGNATURE));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot generate router keys", e);
        }
    }

    /** The public halves, to publish through the Bridge under {@code routerId}. */
    public PublicKeys publicKeys(String routerId) {
        try {
            return new PublicKeys(routerId,
                    TinkProtoKeysetFormat.serializeKeysetWithoutSecret(hpke.getPublicKeysetHandle()),
                    TinkProtoKeysetFormat.serializeKeysetWithoutSecret(signature.getPublicKeysetHandle()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive public keys", e);
        }
    }

    /**
     * Writes {@value #HPKE_FILE} and {@value #SIGNATURE_FILE} into {@code dir} (created
     * owner-only if absent), each readable and writable by its owner only. Refuses to overwrite existing key
     * files ({@link FileAlreadyExistsException}): replacing a router's keys loses every message
     * still in flight to it, so that must be a deliberate step (delete the files first).
     */
    public void save(Path dir) throws IOException {
        OwnerOnly.folder(dir);
        Path hpkeFile = dir.resolve(HPKE_FILE);
        Path signatureFile = dir.resolve(SIGNATURE_FILE);
        for (Path p : List.of(hpkeFile, signatureFile)) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(p.toString(), null, "router keys already exist; not overwritten");
            }
        }
        byte[] hpkeBytes;
        byte[] signatureBytes;
        try {
            // Cleartext keyset storage, deliberately: see the class comment.
            hpkeBytes = TinkProtoKeysetFormat.serializeKeyset(hpke, InsecureSecretKeyAccess.get());
            signatureBytes = TinkProtoKeysetFormat.serializeKeyset(signature, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot serialize router keys", e);
        }
        writeOwnerOnly(hpkeFile, hpkeBytes);
        writeOwnerOnly(signatureFile, signatureBytes);
    }

    /** Reads keys written by {@link #save}. */
    public static RouterKeys load(Path dir) throws IOException {
        byte[] hpkeBytes = readKeyFile(dir.resolve(HPKE_FILE));
        byte[] signatureBytes = readKeyFile(dir.resolve(SIGNATURE_FILE));
        try {
            return new RouterKeys(
                    TinkProtoKeysetFormat.parseKeyset(hpkeBytes, InsecureSecretKeyAccess.get()),
                    TinkProtoKeysetFormat.parseKeyset(signatureBytes, InsecureSecretKeyAccess.get()));
        } catch (GeneralSecurityException e) {
            // Tink's message names no key material.
            throw new IOException("router keys in " + dir + " are not valid: " + e.getMessage(), e);
        }
    }

    HybridDecrypt hybridDecrypt() {
        return hybridDecrypt;
    }

    PublicKeySign signer() {
        return signer;
    }

    @Override
    public String toString() {
        return "RouterKeys[private key material not shown]";
    }

    private static void requireKeyType(KeysetHandle h, Class<?> parameters, String what) throws GeneralSecurityException {
        for (int i = 0; i < h.size(); i++) {
            if (!parameters.isInstance(h.getAt(i).getKey().getParameters())) {
                throw new GeneralSecurityException("expected only " + what + " keys in the keyset");
            }
        }
    }

    private static byte[] readKeyFile(Path p) throws IOException {
        long size = Files.size(p);
        if (size > 64 * 1024) throw new IOException(p + " is too large to be a router keyset");
        return Files.readAllBytes(p);
    }

    /** Writes a temporary file created owner-only, then renames it into place (no window with wider permissions). */
    private static void writeOwnerOnly(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        Path tmp;
        if (posix) {
            FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            tmp = Files.createTempFile(dir, ".keys-", ".tmp", ownerOnly);
        } else {
            tmp = Files.createTempFile(dir, ".keys-", ".tmp");
            restrictAclToOwner(tmp);
        }
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC)) {
                out.write(content);
            }
            if (posix) {
                // The umask cannot widen permissions given at creation, but make the result explicit.
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void restrictAclToOwner(Path p) throws IOException {
        AclFileAttributeView acl = Files.getFileAttributeView(p, AclFileAttributeView.class);
        if (acl == null) {
            throw new IOException("cannot restrict " + p + " to its owner: file system has neither POSIX permissions nor ACLs");
        }
        UserPrincipal owner = Objects.requireNonNull(acl.getOwner());
        AclEntry entry = AclEntry.newBuilder()
                .setType(AclEntryType.ALLOW)
                .setPrincipal(owner)
                .setPermissions(EnumSet.of(AclEntryPermission.READ_DATA, AclEntryPermission.WRITE_DATA,
                        AclEntryPermission.APPEND_DATA, AclEntryPermission.READ_ATTRIBUTES,
                        AclEntryPermission.WRITE_ATTRIBUTES, AclEntryPermission.READ_NAMED_ATTRS,
                        AclEntryPermission.WRITE_NAMED_ATTRS, AclEntryPermission.READ_ACL,
                        AclEntryPermission.WRITE_ACL, AclEntryPermission.DELETE, AclEntryPermission.SYNCHRONIZE))
                .build();
        acl.setAcl(List.of(entry));
    }
}
