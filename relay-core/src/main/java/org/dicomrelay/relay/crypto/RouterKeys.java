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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    /** Where a rotation prepares the next keys ({@link #prepareRotation}) until the Bridge accepted them. */
    public static final String NEXT_DIR = "next";
    /** Where replaced HPKE private keys stay for {@link #PREVIOUS_KEPT}, so that messages sealed to them still open. */
    public static final String PREVIOUS_DIR = "previous";
    public static final Duration PREVIOUS_KEPT = Duration.ofDays(7);
    private static final Pattern PREVIOUS_FILE = Pattern.compile("hpke-private-([0-9]{1,19})\\.tink");

    static {
        Tink.ensureRegistered(); // before load() parses a keyset
    }

    private final KeysetHandle hpke;
    private final KeysetHandle signature;
    private final HybridDecrypt hybridDecrypt;
    private final PublicKeySign signer;

    private RouterKeys(KeysetHandle hpke, KeysetHandle signature) throws GeneralSecurityException {
        this(hpke, signature, List.of());
    }

    private RouterKeys(KeysetHandle hpke, KeysetHandle signature, List<KeysetHandle> previousHpke) throws GeneralSecurityException {
        requireKeyType(hpke, HpkeParameters.class, "HPKE");
        requireKeyType(signature, Ed25519Parameters.class, "Ed25519");
        this.hpke = hpke;
        this.signature = signature;
        List<HybridDecrypt> all = new ArrayList<>();
        all.add(hpke.getPrimitive(Tink.CONFIG, HybridDecrypt.class));
        for (KeysetHandle p : previousHpke) {
            requireKeyType(p, HpkeParameters.class, "HPKE");
            all.add(p.getPrimitive(Tink.CONFIG, HybridDecrypt.class));
        }
        this.hybridDecrypt = all.size() == 1 ? all.get(0) : firstThatOpens(all);
        this.signer = signature.getPrimitive(Tink.CONFIG, PublicKeySign.class);
    }

    /** The current key first, then the replaced ones: a message sealed before a rotation still opens. */
    private static HybridDecrypt firstThatOpens(List<HybridDecrypt> keys) {
        return (ciphertext, context) -> {
            GeneralSecurityException last = null;
            for (HybridDecrypt k : keys) {
                try {
                    return k.decrypt(ciphertext, context);
                } catch (GeneralSecurityException e) {
                    last = e;
                }
            }
            throw last;
        };
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

    /**
     * Reads keys written by {@link #save}, with the HPKE keys a rotation replaced less than
     * {@link #PREVIOUS_KEPT} ago (older ones are deleted here).
     */
    public static RouterKeys load(Path dir) throws IOException {
        byte[] hpkeBytes = readKeyFile(dir.resolve(HPKE_FILE));
        byte[] signatureBytes = readKeyFile(dir.resolve(SIGNATURE_FILE));
        try {
            List<KeysetHandle> previous = new ArrayList<>();
            for (byte[] p : previousHpke(dir.resolve(PREVIOUS_DIR), Instant.now())) {
                previous.add(TinkProtoKeysetFormat.parseKeyset(p, InsecureSecretKeyAccess.get()));
            }
            return new RouterKeys(
                    TinkProtoKeysetFormat.parseKeyset(hpkeBytes, InsecureSecretKeyAccess.get()),
                    TinkProtoKeysetFormat.parseKeyset(signatureBytes, InsecureSecretKeyAccess.get()), previous);
        } catch (GeneralSecurityException e) {
            // Tink's message names no key material.
            throw new IOException("router keys in " + dir + " are not valid: " + e.getMessage(), e);
        }
    }

    /**
     * The keys a rotation switches to: those an interrupted rotation prepared in {@value #NEXT_DIR}
     * (so that a retry publishes the same keys), else fresh ones saved there.
     */
    public static RouterKeys prepareRotation(Path dir) throws IOException {
        Path next = dir.resolve(NEXT_DIR);
        if (Files.exists(next.resolve(HPKE_FILE)) && Files.exists(next.resolve(SIGNATURE_FILE))) return load(next);
        Files.deleteIfExists(next.resolve(HPKE_FILE));
        Files.deleteIfExists(next.resolve(SIGNATURE_FILE));
        RouterKeys k = generate();
        k.save(next);
        return k;
    }

    /**
     * Once the Bridge accepted the rotation: the current HPKE key is kept in {@value #PREVIOUS_DIR},
     * and the keys of {@value #NEXT_DIR} become current. Each step can be repeated, so running the
     * rotation again after a crash completes it.
     */
    public static void commitRotation(Path dir, Instant now) throws IOException {
        Path next = dir.resolve(NEXT_DIR);
        Path previous = dir.resolve(PREVIOUS_DIR);
        OwnerOnly.folder(previous);
        writeOwnerOnly(previous.resolve("hpke-private-" + now.toEpochMilli() + ".tink"), readKeyFile(dir.resolve(HPKE_FILE)));
        Files.move(next.resolve(HPKE_FILE), dir.resolve(HPKE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next.resolve(SIGNATURE_FILE), dir.resolve(SIGNATURE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(next);
    }

    private static List<byte[]> previousHpke(Path folder, Instant now) throws IOException {
        List<byte[]> out = new ArrayList<>();
        if (!Files.isDirectory(folder)) return out;
        List<Path> files;
        try (var list = Files.list(folder)) {
            files = list.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path f : files) {
            Matcher m = PREVIOUS_FILE.matcher(f.getFileName().toString());
            if (!m.matches()) continue;
            if (Instant.ofEpochMilli(Long.parseLong(m.group(1))).plus(PREVIOUS_KEPT).isBefore(now)) {
                Files.deleteIfExists(f);
            } else {
                out.add(readKeyFile(f));
            }
        }
        return out;
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
