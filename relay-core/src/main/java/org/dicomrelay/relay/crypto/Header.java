package org.dicomrelay.relay.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The envelope header, version 3. Encoding (big-endian):
 * <pre>
 *   "DRE1"               4 bytes, ASCII magic
 *   version              1 byte  (3; versions 1 and 2, without session fields, are refused)
 *   sender router id     1-byte length, ASCII
 *   recipient router id  1-byte length, ASCII
 *   message id           1-byte length, ASCII
 *   content type         1-byte length, ASCII
 *   sequence number      8 bytes, per sender and recipient, at least 1
 *   sending time         8 bytes, ms since the epoch
 *   session id           1-byte length, ASCII, 0 = none (per-message mode)
 *   bound to             1-byte length, ASCII, 0 = none (a payload: the message id of its frame)
 *   key                  2-byte length: per-message mode, the HPKE ciphertext of the message's
 *                        streaming-AEAD keyset; session mode, the encoded {@link SessionDescriptor}
 *   flags                1 byte: bit 0 = 4 KiB segments (session mode only), others 0
 *   announced key        2-byte length, 0 = none: the sender's current signed {@link SessionKey}
 * </pre>
 * Nothing may follow the announced key.
 */
record Header(int version, String senderId, String recipientId, String messageId, String contentType,
              long sequence, long sentAtMillis, String sessionId, String boundTo, byte[] wrappedKey,
              boolean smallSegments, byte[] announced) {
    static final byte[] MAGIC = {'D', 'R', 'E', '1'};
    static final int VERSION = 3;
    private static final int SMALL_SEGMENTS = 1;

    /** Per-message mode, nothing announced. */
    Header(int version, String senderId, String recipientId, String messageId, String contentType,
           long sequence, long sentAtMillis, String sessionId, String boundTo, byte[] wrappedKey) {
        this(version, senderId, recipientId, messageId, contentType, sequence, sentAtMillis, sessionId, boundTo, wrappedKey, false, null);
    }

    /** Per-message mode: {@code wrappedKey} is the HPKE-wrapped message key. */
    Header(String senderId, String recipientId, String messageId, String contentType, Stamp stamp, byte[] wrappedKey, byte[] announced) {
        this(VERSION, senderId, recipientId, messageId, contentType, stamp.sequence(), stamp.sentAtMillis(), null, stamp.boundTo(),
                wrappedKey, false, announced);
    }

    /** Session mode: the key field carries the session's signed descriptor. */
    static Header inSession(String senderId, String recipientId, String messageId, String contentType, Stamp stamp,
                            String sessionId, byte[] descriptor, boolean smallSegments, byte[] announced) {
        return new Header(VERSION, senderId, recipientId, messageId, contentType, stamp.sequence(), stamp.sentAtMillis(), sessionId,
                stamp.boundTo(), descriptor, smallSegments, announced);
    }

    Stamp stamp() {
        return new Stamp(sequence, sentAtMillis, boundTo);
    }

    byte[] encode() {
        ByteArrayOutputStream b = new ByteArrayOutputStream(99 + wrappedKey.length + (announced == null ? 0 : announced.length));
        b.writeBytes(MAGIC);
        b.write(version);
        for (String s : new String[] {senderId, recipientId, messageId, contentType}) SessionKey.string(b, s);
        b.writeBytes(ByteBuffer.allocate(16).putLong(sequence).putLong(sentAtMillis).array());
        SessionKey.string(b, sessionId == null ? "" : sessionId);
        SessionKey.string(b, boundTo == null ? "" : boundTo);
        if (wrappedKey.length > 0xffff) throw new IllegalArgumentException("wrapped key too long");
        SessionKey.bytes(b, wrappedKey);
        b.write(smallSegments ? SMALL_SEGMENTS : 0);
        byte[] a = announced == null ? new byte[0] : announced;
        if (a.length > 0xffff) throw new IllegalArgumentException("announced key too long");
        SessionKey.bytes(b, a);
        return b.toByteArray();
    }

    static Header decode(byte[] encoded) throws EnvelopeException {
        ByteBuffer b = ByteBuffer.wrap(encoded);
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new EnvelopeException("not a dicom-relay envelope (bad magic)");
            int version = b.get() & 0xff;
            if (version != VERSION) {
                throw new EnvelopeException("unsupported envelope version " + version + " (this router reads version " + VERSION
                        + " only, with link sessions: the sender must be upgraded)");
            }
            String sender = id(b, "sender id");
            String recipient = id(b, "recipient id");
            String messageId = id(b, "message id");
            String contentType = id(b, "content type");
            long sequence = b.getLong();
            long sentAt = b.getLong();
            if (sequence < 1) throw new EnvelopeException("malformed envelope header: sequence number " + sequence);
            String session = optionalId(b, "session id");
            String boundTo = optionalId(b, "bound-to id");
            byte[] wrapped = new byte[b.getShort() & 0xffff];
            b.get(wrapped);
            int flags = b.get() & 0xff;
            if ((flags & ~SMALL_SEGMENTS) != 0 || (flags != 0 && session == null)) {
                throw new EnvelopeException("malformed envelope header: flags " + flags);
            }
            int announcedLength = b.getShort() & 0xffff;
            byte[] announced = null;
            if (announcedLength > 0) {
                announced = new byte[announcedLength];
                b.get(announced);
            }
            if (b.hasRemaining()) throw new EnvelopeException("malformed envelope header: " + b.remaining() + " trailing bytes");
            return new Header(version, sender, recipient, messageId, contentType, sequence, sentAt, session, boundTo, wrapped,
                    flags != 0, announced);
        } catch (BufferUnderflowException e) {
            throw new EnvelopeException("malformed envelope header: fields run past its end", e);
        }
    }

    private static String optionalId(ByteBuffer b, String what) throws EnvelopeException {
        b.mark();
        if (b.get() == 0) return null;
        b.reset();
        return id(b, what);
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
