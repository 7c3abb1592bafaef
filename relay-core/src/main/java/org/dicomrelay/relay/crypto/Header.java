package org.dicomrelay.relay.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The signed envelope header. Encoding (big-endian):
 * <pre>
 *   "DRE1"               4 bytes, ASCII magic
 *   version              1 byte  (1)
 *   sender router id     1-byte length, ASCII
 *   recipient router id  1-byte length, ASCII
 *   message id           1-byte length, ASCII
 *   content type         1-byte length, ASCII
 *   wrapped message key  2-byte length, HPKE ciphertext of the message's streaming-AEAD keyset
 * </pre>
 * Nothing may follow the wrapped key.
 */
record Header(int version, String senderId, String recipientId, String messageId, String contentType, byte[] wrappedKey) {
    static final byte[] MAGIC = {'D', 'R', 'E', '1'};
    static final int VERSION = 1;

    byte[] encode() {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64 + wrappedKey.length);
        b.writeBytes(MAGIC);
        b.write(version);
        for (String s : new String[] {senderId, recipientId, messageId, contentType}) {
            byte[] a = s.getBytes(StandardCharsets.US_ASCII);
            b.write(a.length);
            b.writeBytes(a);
        }
        if (wrappedKey.length > 0xffff) throw new IllegalArgumentException("wrapped key too long");
        b.write(wrappedKey.length >>> 8);
        b.write(wrappedKey.length);
        b.writeBytes(wrappedKey);
        return b.toByteArray();
    }

    static Header decode(byte[] encoded) throws EnvelopeException {
        ByteBuffer b = ByteBuffer.wrap(encoded);
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new EnvelopeException("not a dicom-relay envelope (bad magic)");
            int version = b.get() & 0xff;
            if (version != VERSION) throw new EnvelopeException("unsupported envelope version " + version);
            String sender = id(b, "sender id");
            String recipient = id(b, "recipient id");
            String messageId = id(b, "message id");
            String contentType = id(b, "content type");
            byte[] wrapped = new byte[b.getShort() & 0xffff];
            b.get(wrapped);
            if (b.hasRemaining()) throw new EnvelopeException("malformed envelope header: " + b.remaining() + " trailing bytes");
            return new Header(version, sender, recipient, messageId, contentType, wrapped);
        } catch (BufferUnderflowException e) {
            throw new EnvelopeException("malformed envelope header: fields run past its end", e);
        }
    }

    private static String id(ByteBuffer b, String what) throws EnvelopeException {
        byte[] a = new byte[b.get() & 0xff];
        b.get(a);
        try {
            return Ids.check(what, new String(a, StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException e) {
            throw new EnvelopeException("malformed envelope header: " + e.getMessage(), e);
        }
    }
}
