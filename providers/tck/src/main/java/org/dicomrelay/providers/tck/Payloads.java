package org.dicomrelay.providers.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Test payloads generated from a seed and compared by SHA-256, so that blobs of many megabytes
 * stream through a small heap instead of being held twice for comparison.
 */
public final class Payloads {
    private Payloads() {}

    /** Writes {@code size} bytes from {@code seed} in writes of {@code chunk} bytes; returns their SHA-256. */
    public static String write(OutputStream out, long seed, long size, int chunk) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest sha = sha256();
        byte[] buf = new byte[chunk];
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(chunk, left);
            for (int i = 0; i < n; i++) buf[i] = (byte) random.nextInt(256);
            out.write(buf, 0, n);
            sha.update(buf, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Reads {@code in} to its end with reads of various sizes and single bytes; returns its length and SHA-256. */
    public static Read read(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[70_001];
        long total = 0;
        int round = 0;
        while (true) {
            if (round++ % 7 == 3) { // the single-byte read() must agree with the bulk read
                int b = in.read();
                if (b < 0) break;
                sha.update((byte) b);
                total++;
                continue;
            }
            int n = in.read(buf, 0, 1 + (round * 7919) % buf.length);
            if (n < 0) break;
            sha.update(buf, 0, n);
            total += n;
        }
        return new Read(total, HexFormat.of().formatHex(sha.digest()));
    }

    public record Read(long length, String sha256) {}

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
