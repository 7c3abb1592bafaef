package org.dicomrelay.console;

import org.dicomrelay.dicom.net.tls.Pem;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The console's HTTPS certificate and key from PEM files. The key must be readable by its owner
 * only: whoever reads it can pose as the console and collect the operators' passwords.
 */
public final class ConsoleTls {
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private ConsoleTls() {}

    public static SSLContext fromPem(Path certificate, Path privateKey) throws IOException {
        if (!Files.isRegularFile(privateKey)) throw new IOException("console.privateKey " + privateKey + " is not a file");
        try {
            Set<PosixFilePermission> modes = Files.getPosixFilePermissions(privateKey);
            if (modes.stream().anyMatch(NOT_OWNER::contains)) {
                throw new IOException("console.privateKey " + privateKey + " may be read by others: chmod 600 " + privateKey);
            }
        } catch (UnsupportedOperationException noPosix) {
            // a file system without POSIX modes: its ACLs are the operator's business
        }
        List<X509Certificate> chain = Pem.certificates(certificate);
        PrivateKey key = Pem.privateKey(privateKey);
        try {
            char[] none = new char[0]; // an in-memory store: the password protects nothing
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("console", key, none, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("console certificate " + certificate + " and key " + privateKey + " are not usable: "
                    + org.dicomrelay.dicom.net.FailureText.of(e), e);
        }
    }
}
