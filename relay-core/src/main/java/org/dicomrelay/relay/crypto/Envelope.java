package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import org.dicomrelay.relay.io.SingleByte;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * The end-to-end envelope: everything a router puts in the cloud is sealed by the sending router
 * for the receiving router. Only the two routers can read it; only the sender can have written it.
 *
 * <h2>Session mode (link protocol v3)</h2>
 * With {@link Sessions}, a sender that knows the recipient's current signed {@link SessionKey}
 * seals in a <b>session</b>: a pair of streaming-AEAD keysets made once per session, wrapped with
 * HPKE to the recipient's short-lived session key, described by a {@link SessionDescriptor} the
 * sender signs once. Every message of the session carries the descriptor in its header (the key
 * field) and its signature (the signature block, the same bytes each time); the recipient checks
 * and unwraps it once and caches the session. Then each message costs only symmetric streaming
 * AEAD, with associated data = SHA-256(header): session id, descriptor, sequence number, time,
 * message id, content type and frame binding are all authenticated by the session key, which only
 * the two routers hold, so a message moved to another session or header does not decrypt.
 * Every envelope also announces the sender's own current session key (signed by its long-term
 * key, checked by the recipient with the pinned keys), which is how peers learn it: the first
 * message to a peer not heard from yet goes in per-message mode.
 *
 * <h2>Per-message mode</h2>
 * <ol>
 *   <li>A fresh Tink streaming-AEAD keyset per message (AES-256-GCM-HKDF, 1 MiB segments).</li>
 *   <li>That keyset is encrypted for the recipient with HPKE (X25519, HKDF-SHA256, AES-256-GCM);
 *       the HPKE context info binds sender id, recipient id and message id, so a wrapped key
 *       cannot be lifted into a header naming another sender, recipient or message.</li>
 *   <li>The {@link Header header} (magic "DRE1", version 2, sender, recipient, message id, content
 *       type, {@link Stamp} = sequence number, sending time and the frame a payload is bound to,
 *       wrapped key) is signed with the sender's Ed25519 key over
 *       {@code "dicom-relay envelope header v2\0" || header}. Version 1 and 2 envelopes (without
 *       a stamp, without session fields) are refused: a clean break, both routers must run this version.</li>
 *   <li>The payload is encrypted with the message key, associated data = SHA-256(header), so
 *       ciphertext cannot be moved under another header.</li>
 * </ol>
 *
 * <h2>Layout</h2>
 * <pre>
 *   header length     4 bytes big-endian, 1..65536
 *   header            (see {@link Header})
 *   signature length  4 bytes big-endian, 1..65536
 *   signature         Tink Ed25519 signature (5-byte key id prefix + 64 bytes): over the header
 *                     (per-message mode) or over the session descriptor (session mode)
 *   ciphertext        Tink streaming AEAD ciphertext, to the end of the stream
 * </pre>
 * The clear part holds router ids, a random message id, a content type, a sequence number and a
 * time: never patient data. Whether a stamp was seen before is the recipient's business
 * (its replay guard): {@link #open} only authenticates it.
 */
public final class Envelope {
    public static final int MAX_HEADER_LENGTH = 64 * 1024;
    public static final int MAX_SIGNATURE_LENGTH = 64 * 1024;

    static final byte[] SIGNATURE_CONTEXT = "dicom-relay envelope header v2\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WRAP_CONTEXT = "dicom-relay envelope key wrap v2\0".getBytes(StandardCharsets.US_ASCII);

    private Envelope() {}

    /**
     * Starts a sealed message: writes the signed header to {@code out} now and returns the stream
     * the caller writes the plaintext into. Closing that stream writes the final segment and
     * closes {@code out}; a message whose stream was not closed is incomplete and will be
     * rejected as truncated.
     *
     * @param senderId  our router id, as the recipient knows it
     * @param messageId a random id (see {@code BlobNames.random()}), never derived from the content
     * @param stamp     sequence number, sending time and, for a payload, its frame (signed with the header)
     * @throws IllegalArgumentException if an id or the content type is empty, longer than 255
     *                                  characters or not printable ASCII without spaces
     */
    public static OutputStream seal(OutputStream out, RouterKeys sender, String senderId, PublicKeys recipient,
                                    String contentType, String messageId, Stamp stamp) throws IOException {
        return seal(out, sender, senderId, recipient, contentType, messageId, stamp, Tink.STREAMING);
    }

    /**
     * As {@link #seal}, with 4 KiB segments: for small messages (frames, notifications), whose
     * sealing and opening would otherwise allocate 1 MiB buffers for a few hundred bytes.
     */
    public static OutputStream sealSmall(OutputStream out, RouterKeys sender, String senderId, PublicKeys recipient,
                                         String contentType, String messageId, Stamp stamp) throws IOException {
        return seal(out, sender, senderId, recipient, contentType, messageId, stamp, Tink.STREAMING_SMALL);
    }

    /**
     * Seals in the session {@code sessions} keeps with {@code recipient}, starting one if needed,
     * or in per-message mode if we know no valid session key of the recipient yet; either way
     * announcing our own session key. {@code small}: 4 KiB segments (frames, notifications).
     */
    public static OutputStream seal(OutputStream out, Sessions sessions, PublicKeys recipient, String contentType, String messageId,
                                    Stamp stamp, boolean small) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(recipient, "recipient");
        Ids.check("content type", contentType);
        Ids.check("message id", messageId);
        String senderId = sessions.routerId();
        byte[] announced = sessions.announcement().encode();
        Sessions.Outbound session;
        try {
            session = sessions.outboundTo(recipient);
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("cannot start a session with router " + recipient.routerId() + ": " + e.getMessage(), e);
        }
        if (session == null) {
            sessions.countPublicKeyOperations(2);
            return seal(out, sessions.keys(), senderId, recipient, contentType, messageId, stamp,
                    small ? Tink.STREAMING_SMALL : Tink.STREAMING, announced);
        }
        byte[] header = Header.inSession(senderId, recipient.routerId(), messageId, contentType, stamp, session.sessionId,
                session.descriptor, small, announced).encode();
        session.messages.incrementAndGet();
        try {
            StreamingAead aead = small ? session.small : session.large;
            out.write(prefix(header, session.signature));
            return new SealingStream(aead.newEncryptingStream(out, sha256(header)), session.bytes);
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("cannot seal message " + messageId + " for router " + recipient.routerId() + ": " + e.getMessage(), e);
        }
    }

    private static OutputStream seal(OutputStream out, RouterKeys sender, String senderId, PublicKeys recipient,
                                     String contentType, String messageId, Stamp stamp,
                                     com.google.crypto.tink.Parameters scheme) throws IOException {
        return seal(out, sender, senderId, recipient, contentType, messageId, stamp, scheme, null);
    }

    private static OutputStream seal(OutputStream out, RouterKeys sender, String senderId, PublicKeys recipient,
                                     String contentType, String messageId, Stamp stamp,
                                     com.google.crypto.tink.Parameters scheme, byte[] announced) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Ids.check("sender id", senderId);
        Ids.check("content type", contentType);
        Ids.check("message id", messageId);
        try {
            KeysetHandle messageKey = KeysetHandle.generateNew(scheme);
            byte[] keyBytes = TinkProtoKeysetFormat.serializeKeyset(messageKey, InsecureSecretKeyAccess.get());
            byte[] wrapped;
            try {
                wrapped = recipient.hybridEncrypt().encrypt(keyBytes, wrapContext(senderId, recipient.routerId(), messageId));
            } finally {
                Arrays.fill(keyBytes, (byte) 0);
            }
            byte[] header = new Header(senderId, recipient.routerId(), messageId, contentType, stamp, wrapped, announced).encode();
            byte[] signature = sender.signer().sign(concat(SIGNATURE_CONTEXT, header));
            StreamingAead aead = messageKey.getPrimitive(Tink.CONFIG, StreamingAead.class);
            out.write(prefix(header, signature));
            return new SealingStream(aead.newEncryptingStream(out, sha256(header)), null);
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("cannot seal message " + messageId + " for router " + recipient.routerId() + ": " + e.getMessage(), e);
        }
    }

    /** What precedes the ciphertext: the header and its signature, each with a 4-byte length. */
    private static byte[] prefix(byte[] header, byte[] signature) {
        ByteArrayOutputStream prefix = new ByteArrayOutputStream(8 + header.length + signature.length);
        prefix.writeBytes(int32(header.length));
        prefix.writeBytes(header);
        prefix.writeBytes(int32(signature.length));
        prefix.writeBytes(signature);
        return prefix.toByteArray();
    }

    /**
     * Opens a sealed message. Before anything is decrypted: the header is parsed, the sender's
     * public keys are looked up with {@code senderKeys} ({@code null} = unknown sender), the
     * signature is verified, and the recipient must be {@code recipientId}. Then the message key
     * is unwrapped and the returned {@link Opened#plaintext()} decrypts as it is read.
     *
     * <p>Each 1 MiB segment is authenticated before any of its bytes are returned, and the
     * stream's end is authenticated too: modification, truncation or appended bytes make a read
     * throw {@link EnvelopeException} ("ciphertext modified or truncated"), at the latest instead
     * of returning end of stream. Bytes of earlier, authentic segments may already have been
     * returned by then, so a consumer must read to the end before trusting or acting on the
     * message (e.g. write to a temporary file, then commit). I/O errors of {@code in} itself are
     * passed through unchanged.
     *
     * @throws EnvelopeException if the envelope is malformed, from an unknown sender, not signed
     *                           by that sender, not addressed to {@code recipientId} or not
     *                           encrypted for {@code recipient}'s keys
     */
    public static Opened open(InputStream in, RouterKeys recipient, String recipientId,
                              Function<String, PublicKeys> senderKeys) throws IOException {
        Objects.requireNonNull(recipient, "recipient");
        return open(in, recipient, recipientId, senderKeys, null);
    }

    /**
     * As {@link #open(InputStream, RouterKeys, String, Function)}, for {@code sessions}' router:
     * opens both modes, a session's descriptor checked and unwrapped once and then taken from the
     * cache; the announced session key of the sender is checked with its pinned keys and noted.
     *
     * @throws EnvelopeException also if the session is not signed by the sender, is for another
     *                           router, has expired, or was wrapped to a session key of ours that was deleted
     */
    public static Opened open(InputStream in, Sessions sessions, Function<String, PublicKeys> senderKeys) throws IOException {
        return open(in, sessions.keys(), sessions.routerId(), senderKeys, sessions);
    }

    private static Opened open(InputStream in, RouterKeys recipient, String recipientId,
                               Function<String, PublicKeys> senderKeys, Sessions sessions) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(recipientId, "recipientId");
        Objects.requireNonNull(senderKeys, "senderKeys");
        SourceStream source = new SourceStream(in);
        byte[] header = readBlock(source, MAX_HEADER_LENGTH, "header");
        byte[] signature = readBlock(source, MAX_SIGNATURE_LENGTH, "signature");
        Header h = Header.decode(header);
        String sender = h.senderId();
        if (h.sessionId() != null && sessions == null) throw new EnvelopeException("message " + h.messageId() + " from " + sender
                + " names session " + h.sessionId() + ": not opened without the router's sessions");

        PublicKeys keys = senderKeys.apply(sender);
        if (keys == null) throw new EnvelopeException("unknown sender " + sender);
        if (!keys.routerId().equals(sender)) {
            throw new EnvelopeException("keys looked up for sender " + sender + " belong to router " + keys.routerId());
        }
        if (h.sessionId() != null) return openInSession(source, header, h, signature, keys, recipientId, sessions);
        if (sessions != null) sessions.countPublicKeyOperations(2);
        try {
            keys.verifier().verify(signature, concat(SIGNATURE_CONTEXT, header));
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("signature does not verify for sender " + sender, e);
        }
        if (!h.recipientId().equals(recipientId)) {
            throw new EnvelopeException("not addressed to us: message " + h.messageId() + " from " + sender
                    + " is for router " + h.recipientId() + ", we are " + recipientId);
        }

        byte[] keyBytes;
        try {
            keyBytes = recipient.hybridDecrypt().decrypt(h.wrappedKey(), wrapContext(sender, h.recipientId(), h.messageId()));
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("cannot unwrap the key of message " + h.messageId() + " from " + sender
                    + ": not encrypted for our private key", e);
        }
        StreamingAead aead;
        try {
            KeysetHandle messageKey = TinkProtoKeysetFormat.parseKeyset(keyBytes, InsecureSecretKeyAccess.get());
            // Only what seal() produces: one AES-256-GCM-HKDF key with 1 MiB or 4 KiB segments (no
            // downgrade, no segment size chosen to exhaust our memory).
            com.google.crypto.tink.Parameters scheme = messageKey.size() == 1 ? messageKey.getAt(0).getKey().getParameters() : null;
            if (!Tink.STREAMING.equals(scheme) && !Tink.STREAMING_SMALL.equals(scheme)) {
                throw new GeneralSecurityException("unexpected message key type");
            }
            aead = messageKey.getPrimitive(Tink.CONFIG, StreamingAead.class);
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("message " + h.messageId() + " from " + sender + " has an unusable message key", e);
        } finally {
            Arrays.fill(keyBytes, (byte) 0);
        }
        InputStream plaintext;
        try {
            plaintext = aead.newDecryptingStream(source, sha256(header));
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("cannot decrypt message " + h.messageId() + " from " + sender, e);
        }
        if (sessions != null && h.announced() != null) sessions.learn(keys, h.announced());
        return new Opened(sender, h.contentType(), h.messageId(), h.stamp(), new OpeningStream(plaintext, source, h));
    }

    private static Opened openInSession(SourceStream source, byte[] header, Header h, byte[] signature, PublicKeys keys,
                                        String recipientId, Sessions sessions) throws IOException {
        String sender = h.senderId();
        if (!h.recipientId().equals(recipientId)) {
            throw new EnvelopeException("not addressed to us: message " + h.messageId() + " from " + sender
                    + " is for router " + h.recipientId() + ", we are " + recipientId);
        }
        Sessions.Inbound session = sessions.inbound(keys, h.sessionId(), h.wrappedKey(), signature);
        InputStream plaintext;
        try {
            plaintext = (h.smallSegments() ? session.small() : session.large()).newDecryptingStream(source, sha256(header));
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("cannot decrypt message " + h.messageId() + " from " + sender, e);
        }
        // The announcement is self-authenticating (signed by the sender's pinned key), whatever the rest of the message proves.
        if (h.announced() != null) sessions.learn(keys, h.announced());
        return new Opened(sender, h.contentType(), h.messageId(), h.stamp(), new OpeningStream(plaintext, source, h));
    }

    /**
     * The session id a sealed message names in its clear header (empty: per-message mode), read
     * without authenticating anything: for diagnostics and tests, never for a decision.
     */
    public static java.util.Optional<String> sessionIdOf(byte[] sealed) throws EnvelopeException {
        ByteBuffer b = ByteBuffer.wrap(sealed);
        if (b.remaining() < 4) throw new EnvelopeException("truncated envelope: no header length");
        int n = b.getInt();
        if (n < 1 || n > Math.min(MAX_HEADER_LENGTH, b.remaining())) throw new EnvelopeException("truncated envelope header");
        return java.util.Optional.ofNullable(Header.decode(Arrays.copyOfRange(sealed, 4, 4 + n)).sessionId());
    }

    /** An authenticated envelope (its stamp as signed by the sender); {@link #plaintext} decrypts as it is read (see {@link Envelope#open}). */
    public record Opened(String senderId, String contentType, String messageId, Stamp stamp, InputStream plaintext) implements Closeable {
        @Override
        public void close() throws IOException {
            plaintext.close();
        }
    }

    private static byte[] readBlock(InputStream in, int max, String what) throws IOException {
        byte[] len = in.readNBytes(4);
        if (len.length < 4) throw new EnvelopeException("truncated envelope: no " + what + " length");
        int n = ByteBuffer.wrap(len).getInt();
        if (n < 1 || n > max) throw new EnvelopeException("envelope " + what + " length " + Integer.toUnsignedString(n) + " out of range 1.." + max);
        byte[] b = in.readNBytes(n);
        if (b.length < n) throw new EnvelopeException("truncated envelope " + what);
        return b;
    }

    private static byte[] wrapContext(String senderId, String recipientId, String messageId) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(WRAP_CONTEXT);
        for (String s : new String[] {senderId, recipientId, messageId}) {
            byte[] a = s.getBytes(StandardCharsets.US_ASCII);
            b.write(a.length);
            b.writeBytes(a);
        }
        return b.toByteArray();
    }

    private static byte[] int32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The caller's plaintext sink; close() finishes the ciphertext. */
    private static final class SealingStream extends OutputStream {
        private final OutputStream encrypting;
        /** The session's plaintext volume (rotation by volume); null in per-message mode. */
        private final java.util.concurrent.atomic.AtomicLong volume;
        private boolean closed;

        SealingStream(OutputStream encrypting, java.util.concurrent.atomic.AtomicLong volume) {
            this.encrypting = encrypting;
            this.volume = volume;
        }

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            encrypting.write(b);
            if (volume != null) volume.incrementAndGet();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureOpen();
            encrypting.write(b, off, len);
            if (volume != null) volume.addAndGet(len);
        }

        /** Flushes the sink; plaintext short of a whole segment stays buffered until more comes or close(). */
        @Override
        public void flush() throws IOException {
            ensureOpen();
            encrypting.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            encrypting.close();
        }

        private void ensureOpen() throws IOException {
            if (closed) throw new IOException("sealed message already closed");
        }
    }

    /** Remembers whether the underlying stream itself failed, to tell I/O errors from tampering. */
    private static final class SourceStream extends InputStream {
        private final InputStream in;
        volatile boolean failed;

        SourceStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The plaintext: Tink's decrypting stream, with its failures reported as {@link EnvelopeException}. */
    private static final class OpeningStream extends InputStream {
        private final InputStream decrypting;
        private final SourceStream source;
        private final Header header;
        private EnvelopeException failure;

        OpeningStream(InputStream decrypting, SourceStream source, Header header) {
            this.decrypting = decrypting;
            this.source = source;
            this.header = header;
        }

        @Override
        public int read() throws IOException {
            return SingleByte.read(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (failure != null) throw failure;
            if (len == 0) return 0;
            try {
                return decrypting.read(b, off, len);
            } catch (IOException e) {
                if (source.failed) throw e;
                failure = new EnvelopeException("ciphertext modified or truncated: message " + header.messageId()
                        + " from " + header.senderId(), e);
                throw failure;
            }
        }

        @Override
        public void close() throws IOException {
            decrypting.close();
        }
    }
}
