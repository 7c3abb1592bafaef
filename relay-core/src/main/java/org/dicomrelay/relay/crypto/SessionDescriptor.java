package org.dicomrelay.relay.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What opens a link session, signed once by the sender over {@code "dicom-relay session v1\0" ||
 * encoding}: the session id, sender, recipient, the recipient's session key it was wrapped to,
 * the creation time, and the session's streaming-AEAD keysets wrapped with HPKE to that key
 * (context info binding sender, recipient, session id and key id).
 *
 * <p>Encoding: "DRS1", then session id, sender, recipient, recipient key id (each 1-byte
 * length), created (8 bytes, ms since the epoch), wrapped keys (2-byte length).
 */
record SessionDescriptor(String sessionId, String senderId, String recipientId, String recipientKeyId, long createdMillis,
                         byte[] wrappedKeys) {
    static final byte[] SIGNATURE_CONTEXT = "dicom-relay session v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WRAP_CONTEXT = "dicom-relay session key wrap v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC = {'D', 'R', 'S', '1'};

    byte[] encode() {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64 + wrappedKeys.length);
        b.writeBytes(MAGIC);
        for (String s : new String[] {sessionId, senderId, recipientId, recipientKeyId}) SessionKey.string(b, s);
        b.writeBytes(ByteBuffer.allocate(8).putLong(createdMillis).array());
        SessionKey.bytes(b, wrappedKeys);
        return b.toByteArray();
    }

    static SessionDescriptor decode(byte[] encoded) throws EnvelopeException {
        ByteBuffer b = ByteBuffer.wrap(encoded);
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new EnvelopeException("malformed session descriptor (bad magic)");
            String session = Ids.check("session id", SessionKey.string(b));
            String sender = Ids.check("sender id", SessionKey.string(b));
            String recipient = Ids.check("recipient id", SessionKey.string(b));
            String keyId = Ids.check("session key id", SessionKey.string(b));
            long created = b.getLong();
            byte[] wrapped = new byte[b.getShort() & 0xffff];
            b.get(wrapped);
            if (b.hasRemaining()) throw new EnvelopeException("malformed session descriptor: trailing bytes");
            return new SessionDescriptor(session, sender, recipient, keyId, created, wrapped);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new EnvelopeException("malformed session descriptor: " + e.getMessage(), e);
        }
    }

    static byte[] wrapContext(String sessionId, String senderId, String recipientId, String recipientKeyId) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(WRAP_CONTEXT);
        for (String s : new String[] {sessionId, senderId, recipientId, recipientKeyId}) SessionKey.string(b, s);
        return b.toByteArray();
    }
}
