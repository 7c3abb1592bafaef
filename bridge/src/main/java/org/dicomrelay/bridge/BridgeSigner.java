package org.dicomrelay.bridge;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import com.google.crypto.tink.signature.SignatureConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Set;

/**
 * The Bridge's Ed25519 signing keyset (Tink), with which it vouches for routers' public keys and
 * AE records. Generated on first start and kept in the data directory, readable by the owner only
 * (0600). Routers pin the public half at enrollment.
 */
final class BridgeSigner {
    static final String FILE_NAME = "bridge-signing-keyset.json";
    private static final System.Logger LOG = System.getLogger(BridgeSigner.class.getName());

    private final PublicKeySign signer;
    private final PublicKeyVerify verifier;
    private final byte[] publicKeyset;

    private BridgeSigner(KeysetHandle keyset) throws GeneralSecurityException {
        this.signer = keyset.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class);
        KeysetHandle pub = keyset.getPublicKeysetHandle();
        this.verifier = pub.getPrimitive(RegistryConfiguration.get(), PublicKeyVerify.class);
        this.publicKeyset = TinkProtoKeysetFormat.serializeKeysetWithoutSecret(pub);
    }

    static BridgeSigner loadOrCreate(Path dataDir) throws IOException, GeneralSecurityException {
        SignatureConfig.register();
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            create(file);
        } else {
            checkPermissions(file);
        }
        String json = Files.readString(file, StandardCharsets.UTF_8);
        return new BridgeSigner(TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()));
    }

    /** The public keyset (Tink binary format) routers pin. */
    byte[] publicKeyset() {
        return publicKeyset.clone();
    }

    byte[] sign(byte[] data) {
        try {
            return signer.sign(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    boolean verifies(byte[] signature, byte[] data) {
        try {
            verifier.verify(signature, data);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void create(Path file) throws IOException, GeneralSecurityException {
        KeysetHandle keyset = KeysetHandle.generateNew(PredefinedSignatureParameters.ED25519);
        String json = TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get());
        Path dir = file.getParent();
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        FileAttribute<?>[] ownerOnly = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        Path tmp = Files.createTempFile(dir, ".signing-keyset", ".tmp", ownerOnly);
        try {
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file);
            }
        } catch (FileAlreadyExistsException e) {
            // another process created it first: use theirs
        } finally {
            Files.deleteIfExists(tmp);
        }
        LOG.log(System.Logger.Level.INFO, "generated a new Bridge signing keyset in " + file);
    }

    private static void checkPermissions(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView("posix")) return;
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            LOG.log(System.Logger.Level.WARNING, file + " is readable by others than its owner ("
                    + PosixFilePermissions.toString(perms) + "); it holds the Bridge's private signing key: chmod 600 it");
        }
    }
}
