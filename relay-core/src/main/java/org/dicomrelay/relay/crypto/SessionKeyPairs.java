package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.HybridDecrypt;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.hybrid.HpkeParameters;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.FailureText;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This router's session key pairs: a new HPKE key pair every {@code rotation}, its public half
 * signed ({@link SessionKey}) and announced to peers, usable by them for two rotation periods
 * (so a peer that has not heard the next one yet keeps a valid key). A private half is deleted
 * {@code inFlight} (the longest a message may travel) after its key's not-after time: from then
 * on, messages of sessions to it cannot be opened by anyone, even with this router's long-term
 * private keys (forward secrecy).
 *
 * <p>Private halves are stored in {@code dir} (0700), one 0600 file per key named
 * {@code session-<createdMillis>-<notAfterMillis>.tink} (Tink cleartext keyset, as
 * {@link RouterKeys}), so that messages in flight survive a restart; {@code dir == null} keeps
 * them in memory only (tests, tools).
 */
public final class SessionKeyPairs {
    private static final System.Logger LOG = System.getLogger(SessionKeyPairs.class.getName());
    private static final Pattern FILE = Pattern.compile("session-([0-9]{1,19})-([0-9]{1,19})\\.tink");

    static {
        Tink.ensureRegistered();
    }

    private final String routerId;
    private final RouterKeys owner;
    private final Path dir;
    private final Duration rotation;
    private final Duration inFlight;
    private final Clock clock;
    /** By key id (the creation time, so the last entry is the newest). */
    private final TreeMap<Long, Pair> pairs = new TreeMap<>();
    private SessionKey announced;
    /** Files of expired key pairs not deleted yet. */
    private final java.util.Set<Path> undeleted = new java.util.HashSet<>();

    private record Pair(long createdMillis, long notAfterMillis, KeysetHandle keyset, HybridDecrypt decrypt) {}

    private SessionKeyPairs(String routerId, RouterKeys owner, Path dir, Duration rotation, Duration inFlight, Clock clock) {
        this.routerId = Ids.check("router id", routerId);
        this.owner = owner;
        this.dir = dir;
        this.rotation = rotation;
        this.inFlight = inFlight;
        this.clock = clock;
        if (rotation.isNegative() || rotation.isZero()) throw new IllegalArgumentException("session key rotation must be positive");
    }

    /** Key pairs kept in memory only. */
    public static SessionKeyPairs inMemory(String routerId, RouterKeys owner, Duration rotation, Duration inFlight, Clock clock) {
        return new SessionKeyPairs(routerId, owner, null, rotation, inFlight, clock);
    }

    /** Key pairs stored in {@code dir}: those still valid are loaded, expired ones deleted. */
    public static SessionKeyPairs in(Path dir, String routerId, RouterKeys owner, Duration rotation, Duration inFlight, Clock clock)
            throws IOException {
        SessionKeyPairs p = new SessionKeyPairs(routerId, owner, dir, rotation, inFlight, clock);
        OwnerOnly.folder(dir);
        try (var list = Files.list(dir)) {
            for (Path f : list.toList()) {
                Matcher m = FILE.matcher(f.getFileName().toString());
                if (!m.matches()) continue;
                try {
                    KeysetHandle h = TinkProtoKeysetFormat.parseKeyset(Files.readAllBytes(f), InsecureSecretKeyAccess.get());
                    if (h.size() != 1 || !(h.getAt(0).getKey().getParameters() instanceof HpkeParameters)) {
                        throw new GeneralSecurityException("not a single HPKE key");
                    }
                    long created = Long.parseLong(m.group(1));
                    p.pairs.put(created, new Pair(created, Long.parseLong(m.group(2)), h, h.getPrimitive(Tink.CONFIG, HybridDecrypt.class)));
                } catch (GeneralSecurityException | IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "ignoring unreadable session key file " + f + ": " + FailureText.of(e));
                }
            }
        }
        p.purge();
        return p;
    }

    /** The key peers should use now, signed; a new one once the newest is older than the rotation period. */
    public synchronized SessionKey current() {
        long now = clock.millis();
        purge();
        Map.Entry<Long, Pair> newest = pairs.lastEntry();
        if (newest == null || now - newest.getKey() >= rotation.toMillis()) {
            newest = Map.entry(now, create(now));
            announced = null;
        }
        if (announced == null || !announced.keyId().equals(keyId(newest.getKey()))) {
            announced = sign(newest.getValue());
        }
        return announced;
    }

    /** The private half of key {@code keyId}; null once deleted (or never ours). */
    synchronized HybridDecrypt privateKey(String keyId) {
        purge();
        long created;
        try {
            created = Long.parseLong(keyId);
        } catch (NumberFormatException e) {
            return null;
        }
        Pair p = pairs.get(created);
        return p == null ? null : p.decrypt();
    }

    /** Deletes the private halves no message in flight can need any more (a file that could not be deleted: again next time). */
    synchronized void purge() {
        long now = clock.millis();
        var it = pairs.values().iterator();
        while (it.hasNext()) {
            Pair p = it.next();
            if (now > p.notAfterMillis() + inFlight.toMillis()) {
                it.remove();
                if (dir != null) undeleted.add(dir.resolve(fileName(p)));
            }
        }
        for (var files = undeleted.iterator(); files.hasNext(); ) {
            Path f = files.next();
            try {
                Files.deleteIfExists(f);
                files.remove();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not delete expired session key " + f + ", will try again: " + FailureText.of(e));
            }
        }
    }

    private Pair create(long now) {
        try {
            KeysetHandle h = KeysetHandle.generateNew(Tink.HPKE);
            Pair p = new Pair(now, now + 2 * rotation.toMillis(), h, h.getPrimitive(Tink.CONFIG, HybridDecrypt.class));
            if (dir != null) {
                OwnerOnly.replace(dir.resolve(fileName(p)), TinkProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get()));
            }
            pairs.put(now, p);
            return p;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot generate a session key", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a new session key in " + dir, e);
        }
    }

    private SessionKey sign(Pair p) {
        try {
            byte[] keyset = TinkProtoKeysetFormat.serializeKeysetWithoutSecret(p.keyset().getPublicKeysetHandle());
            String id = keyId(p.createdMillis());
            byte[] signature = owner.signer().sign(SessionKey.signedBytes(routerId, id, p.notAfterMillis(), keyset));
            return new SessionKey(routerId, id, p.notAfterMillis(), keyset, signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the session key", e);
        }
    }

    private static String keyId(long createdMillis) {
        return Long.toString(createdMillis);
    }

    private static String fileName(Pair p) {
        return "session-" + p.createdMillis() + "-" + p.notAfterMillis() + ".tink";
    }

    @Override
    public String toString() {
        return "SessionKeyPairs[" + routerId + ", private key material not shown]";
    }
}
