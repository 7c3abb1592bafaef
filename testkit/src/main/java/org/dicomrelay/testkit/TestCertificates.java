package org.dicomrelay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates for DICOM TLS tests, made with the openssl command (as an administrator would) in
 * a folder of the test's: a CA of the test, and end-entity certificates it signs (EC P-256 or
 * RSA 2048), plus a second CA nobody trusts for "unknown certificate" cases. Keys are unencrypted
 * PKCS#8 PEM files with mode 0600, certificates PEM.
 */
public final class TestCertificates {
    /** A certificate and its key, as files. */
    public record Identity(Path certificate, Path privateKey) {}

    public enum KeyType { EC, RSA }

    private final Path dir;
    private final Identity ca;

    private TestCertificates(Path dir, Identity ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** A new CA in {@code dir}. */
    public static TestCertificates create(Path dir, String caName) throws IOException {
        Files.createDirectories(dir);
        Identity ca = new Identity(dir.resolve(caName + ".pem"), dir.resolve(caName + ".key"));
        openssl(dir, List.of("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", ca.privateKey().toString(), "-out", ca.certificate().toString(), "-days", "2", "-subj", "/CN=" + caName,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
        ownerOnly(ca.privateKey());
        return new TestCertificates(dir, ca);
    }

    /** The CA's certificate: the trusted set for peers of this CA. */
    public Path caCertificate() { return ca.certificate(); }

    /** An end-entity certificate for {@code name}, signed by this CA. */
    public Identity issue(String name, KeyType type) throws IOException {
        Identity id = new Identity(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
        Path csr = dir.resolve(name + ".csr");
        List<String> req = new ArrayList<>(List.of("req", "-new", "-nodes", "-keyout", id.privateKey().toString(), "-out", csr.toString(),
                "-subj", "/CN=" + name));
        if (type == KeyType.EC) req.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
        else req.addAll(List.of("-newkey", "rsa:2048"));
        openssl(dir, req);
        ownerOnly(id.privateKey());
        openssl(dir, List.of("x509", "-req", "-in", csr.toString(), "-CA", ca.certificate().toString(), "-CAkey", ca.privateKey().toString(),
                "-CAcreateserial", "-out", id.certificate().toString(), "-days", "2"));
        Files.delete(csr);
        return id;
    }

    private static void ownerOnly(Path key) throws IOException {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    private static void openssl(Path dir, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(args);
        Peers.Result r = Peers.run(cmd, Duration.ofSeconds(60));
        if (r.exitCode() != 0) throw new IOException(String.join(" ", cmd) + " failed in " + dir + ":\n" + r.output());
    }
}
