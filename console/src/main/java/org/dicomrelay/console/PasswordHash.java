package org.dicomrelay.console;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Argon2id password hashes (RFC 9106, Bouncy Castle's implementation) in the PHC string format
 * {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>}: the parameters travel with
 * the hash, so raising them later leaves older accounts verifiable.
 */
public final class PasswordHash {
    /** OWASP's first Argon2id choice: 19 MiB, 2 passes, 1 lane. */
    public static final Params DEFAULT = new Params(19 * 1024, 2, 1);
    private static final int SALT_BYTES = 16, HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile("\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,2}),p=(\\d{1,2})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    /** Memory in KiB, passes (iterations), lanes (parallelism). */
    public record Params(int memoryKib, int iterations, int parallelism) {
        public Params {
            if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) throw new IllegalArgumentException("invalid Argon2 parameters");
        }
    }

    private PasswordHash() {}

    public static String hash(char[] password) {
        return hash(password, DEFAULT);
    }

    public static String hash(char[] password, Params p) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] h = derive(password, salt, p, HASH_BYTES);
        return "$argon2id$v=19$m=" + p.memoryKib() + ",t=" + p.iterations() + ",p=" + p.parallelism() + "$" + B64.encodeToString(salt)
                + "$" + B64.encodeToString(h);
    }

    /** Whether {@code password} is the one {@code phc} was made from (constant-time comparison); false for a malformed hash. */
    public static boolean verify(char[] password, String phc) {
        Matcher m = phc == null ? null : PHC.matcher(phc);
        if (m == null || !m.matches()) return false;
        Params p;
        try {
            p = new Params(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(m.group(4)), expected = Base64.getDecoder().decode(m.group(5));
        if (expected.length < 16) return false;
        return MessageDigest.isEqual(derive(password, salt, p, expected.length), expected);
    }

    private static byte[] derive(char[] password, byte[] salt, Params p, int length) {
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] pw = new byte[utf8.remaining()];
        utf8.get(pw);
        Arrays.fill(utf8.array(), (byte) 0);
        try {
            Argon2BytesGenerator g = new Argon2BytesGenerator();
            g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(p.memoryKib()).withIterations(p.iterations()).withParallelism(p.parallelism()).withSalt(salt).build());
            byte[] out = new byte[length];
            g.generateBytes(pw, out);
            return out;
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }
}
