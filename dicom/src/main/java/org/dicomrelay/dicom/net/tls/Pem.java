package org.dicomrelay.dicom.net.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files as OpenSSL writes them: X.509 certificates (one or a bundle; text between the blocks,
 * such as {@code openssl x509 -text} output, is ignored) and an unencrypted PKCS#8 private key
 * (EC or RSA). Older key formats are refused with the command that converts them.
 */
public final class Pem {
    private Pem() {}

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PKCS8 = "PRIVATE KEY";
    /** Key algorithms tried in turn: a PKCS#8 key of another algorithm fails to decode. */
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA");

    /** Every certificate in the file, in order (a chain: the end entity first). */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(file)) {
                if (b.type.equals(CERTIFICATE)) out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der)));
            }
        } catch (CertificateException e) {
            throw new IOException(file + ": not a valid X.509 certificate: " + e.getMessage(), e);
        }
        if (out.isEmpty()) throw new IOException(file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        return out;
    }

    /** The private key of the file: unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), EC or RSA. */
    public static PrivateKey privateKey(Path file) throws IOException {
        for (Block b : blocks(file)) {
            switch (b.type) {
                case PKCS8 -> {
                    return pkcs8(file, b.der);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException(file + ": the private key is encrypted; give it unencrypted "
                        + "and readable by the router's user only (openssl pkcs8 -in " + file.getFileName() + " -out key.pem, chmod 600)");
                case "EC PRIVATE KEY", "RSA PRIVATE KEY" -> throw new IOException(file + ": " + b.type + " is the old format; convert it to "
                        + "PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out key.pem");
                default -> {
                    // EC PARAMETERS and the like precede the key in some files
                }
            }
        }
        throw new IOException(file + ": no PEM private key (-----BEGIN PRIVATE KEY-----) in it");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws IOException {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisAlgorithm) {
                // try the next one
            }
        }
        throw new IOException(file + ": the PKCS#8 private key is neither EC nor RSA");
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": not readable by this user", e);
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": a " + m.group(1) + " block is not valid base64", e);
            }
        }
        return out;
    }
}
