package org.dicomrelay.router.config;

import org.dicomrelay.dicom.net.tls.DicomTls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Loads the PEM files of a {@code tls} section of router.yaml into a {@link DicomTls}, refusing a
 * private key that others than the router's user may read: whoever reads it can pose as the
 * router to every device that trusts its certificate.
 */
final class TlsFiles {
    private TlsFiles() {}

    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    /** {@code where} names the section in messages ("tls", "device PACS tls"); {@code trusted} is never null (the records refuse it). */
    static DicomTls load(String where, String certificate, String privateKey, String trusted, boolean requireClientCertificate)
            throws IOException {
        Path key = privateKey == null ? null : Path.of(privateKey);
        if (key != null) ownerOnly(where, key);
        try {
            return DicomTls.fromPem(certificate == null ? null : Path.of(certificate), key, Path.of(trusted), requireClientCertificate);
        } catch (IOException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }

    private static void ownerOnly(String where, Path key) throws IOException {
        if (!Files.isRegularFile(key)) throw new IOException(where + ".privateKey " + key + " is not a file");
        Set<PosixFilePermission> modes;
        try {
            modes = Files.getPosixFilePermissions(key);
        } catch (UnsupportedOperationException noPosix) {
            return; // a file system without POSIX modes: its ACLs are the operator's business
        }
        if (!Collections.disjoint(modes, NOT_OWNER)) {
            throw new IOException(where + ".privateKey " + key + " may be read by others (" + PosixFilePermissions.toString(modes)
                    + "): make it readable by the router's user only (chmod 600 " + key + ")");
        }
    }

    /** {@code path} as given, or resolved against {@code base} when relative (null stays null). */
    static String resolve(Path base, String path) {
        return path == null ? null : base.resolve(path).normalize().toString();
    }
}
