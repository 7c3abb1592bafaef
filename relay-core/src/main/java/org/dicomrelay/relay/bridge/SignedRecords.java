package org.dicomrelay.relay.bridge;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes the Bridge signs for a directory record: a domain label, then each field as a 4-byte
 * big-endian length and its bytes. Length prefixes make the encoding unambiguous (no field can
 * run into the next), and the label keeps a signature over one record type from being accepted
 * as another.
 */
final class SignedRecords {
    private SignedRecords() {}

    static byte[] encode(String domain, byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        put(out, domain.getBytes(StandardCharsets.UTF_8));
        for (byte[] f : fields) put(out, f);
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void put(ByteArrayOutputStream out, byte[] field) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(field.length).array());
        out.writeBytes(field);
    }
}
