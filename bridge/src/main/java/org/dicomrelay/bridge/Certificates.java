package org.dicomrelay.bridge;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * X.509 certificates the Bridge makes (BouncyCastle builds them; the JDK's providers sign): its own
 * self-signed server certificate, the CA that certifies routers' TLS client keys, and those client
 * certificates; plus reading and writing PEM files.
 */
final class Certificates {
    /** Long-lived on purpose: a router's certificate is checked against the database on every call (revocation, re-enrollment). */
    static final Duration VALIDITY = Duration.ofDays(3650);
    /** Clocks of hosts differ: a certificate is valid from a little before it was made. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Pattern IP_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|.*:.*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {}

    /** The Bridge's own server certificate: DNS/IP names as given, server authentication only. */
    static X509Certificate selfSignedServer(KeyPair key, List<String> names, Instant now) throws GeneralSecurityException {
        X500Name subject = name("dicom-relay Bridge", null);
        Set<GeneralName> san = new LinkedHashSet<>();
        for (String n : names) san.add(new GeneralName(IP_LITERAL.matcher(n).matches() ? GeneralName.iPAddress : GeneralName.dNSName, n));
        return build(subject, key.getPrivate(), null, subject, key.getPublic(), now, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(GeneralName[]::new)));
        });
    }

    /** The CA that certifies routers' client keys; it signs nothing else. */
    static X509Certificate clientCa(KeyPair key, Instant now) throws GeneralSecurityException {
        X500Name subject = name("dicom-relay Bridge router CA", null);
        return build(subject, key.getPrivate(), null, subject, key.getPublic(), now, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
    }

    /** A router's client certificate: its ID as common name, client authentication only. */
    static X509Certificate client(PrivateKey caKey, X509Certificate ca, PublicKey routerKey, String routerId, Instant now)
            throws GeneralSecurityException {
        return build(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), caKey, ca, name(routerId, "dicom-relay router"),
                routerKey, now, b -> {
                    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
                });
    }

    @FunctionalInterface
    private interface Extensions {
        void add(X509v3CertificateBuilder b) throws CertIOException, GeneralSecurityException;
    }

    private static X509Certificate build(X500Name issuer, PrivateKey issuerKey, X509Certificate issuerCert, X500Name subject,
                                         PublicKey subjectKey, Instant now, Extensions extensions) throws GeneralSecurityException {
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(VALIDITY)), subject, subjectKey);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
            if (issuerCert != null) b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerCert));
            extensions.add(b);
            String algorithm = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            X509CertificateHolder holder = b.build(new JcaContentSignerBuilder(algorithm).build(issuerKey));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertIOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot create a certificate: " + e.getMessage(), e);
        }
    }

    private static X500Name name(String commonName, String organization) {
        X500NameBuilder n = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName);
        if (organization != null) n.addRDN(BCStyle.O, organization);
        return n.build();
    }

    // --- PEM ---

    static byte[] pem(X509Certificate certificate) throws IOException {
        return pemOf(certificate);
    }

    /** PKCS#8 ("PRIVATE KEY"), unencrypted: the file is 0600 in a 0700 folder. */
    static byte[] pem(PrivateKey key) throws IOException {
        return pemOf(new JcaPKCS8Generator(key, null));
    }

    private static byte[] pemOf(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o);
        }
        return w.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Every certificate of a PEM file, in file order (the server's own first, then its chain). */
    static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof X509CertificateHolder h) out.add(converter.getCertificate(h));
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(file + ": not a usable PEM certificate: " + e.getMessage(), e);
        }
        if (out.isEmpty()) throw new IOException(file + ": no certificate (expected a PEM file with -----BEGIN CERTIFICATE-----)");
        return out;
    }

    /** The private key of a PEM file: PKCS#8 "PRIVATE KEY", or OpenSSL's "EC PRIVATE KEY" / "RSA PRIVATE KEY"; not encrypted. */
    static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof PrivateKeyInfo k) return converter.getPrivateKey(k);
                if (o instanceof PEMKeyPair k) return converter.getKeyPair(k).getPrivate();
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IOException(file + ": the private key is encrypted; give it unencrypted in a file only the Bridge's user can read");
                }
            }
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a usable PEM private key: " + e.getClass().getSimpleName(), e);
        }
        throw new IOException(file + ": no private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
    }
}
