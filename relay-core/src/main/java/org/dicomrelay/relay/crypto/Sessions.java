package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.HybridDecrypt;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One router's link sessions (see {@link Envelope}): the session keys it announces
 * ({@link SessionKeyPairs}), the verified session keys its peers announced, the session it sends
 * in to each peer, and the sessions it accepted from each peer. Public-key work happens only
 * when a session starts (one HPKE wrap and one signature by the sender; one verification and one
 * unwrap by the recipient) and when a new session key is announced; every message of a session
 * after its first uses symmetric streaming AEAD only.
 *
 * <p>Forward secrecy: a session's keys exist only in the two routers' memory; the sender drops
 * them when the session rotates, the recipient when the session can have no more messages in
 * flight, and the session key pair they were wrapped to is deleted when it expires. After that,
 * a captured message cannot be opened, even with both routers' long-term private keys.
 */
public final class Sessions {
    /** Accepted sessions kept at most (a few per peer in practice); beyond, the oldest is forgotten. */
    static final int MAX_INBOUND = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String routerId;
    private final RouterKeys keys;
    private final SessionKeyPairs own;
    private final SessionPolicy policy;
    private final Clock clock;
    /** The newest session key each peer announced, with the long-term keys that signed it. */
    private final Map<String, Learned> peerKeys = new ConcurrentHashMap<>();
    /**
     * Per peer, since when we have been sending in sessions without hearing from it. Beyond the
     * in-flight time, its session key is set aside and we seal per message (which it can always
     * open with its long-term key) until it answers with its current session key: so a peer that
     * lost its session keys (its state folder restored from an old backup) is not cut off.
     */
    private final Map<String, Long> unansweredSince = new ConcurrentHashMap<>();
    private final Map<String, Outbound> outbound = new ConcurrentHashMap<>();
    private final Map<String, Inbound> inbound = new LinkedHashMap<>();
    /** The seam for tests and metrics: HPKE operations and signatures made or checked here and for per-message envelopes. */
    private final AtomicLong publicKeyOperations = new AtomicLong();

    public Sessions(String routerId, RouterKeys keys, SessionKeyPairs own, SessionPolicy policy, Clock clock) {
        this.routerId = Ids.check("router id", routerId);
        this.keys = keys;
        this.own = own;
        this.policy = policy;
        this.clock = clock;
    }

    /** Sessions whose own key pairs are kept in memory only: for tests and tools. */
    public static Sessions inMemory(String routerId, RouterKeys keys, SessionPolicy policy, Clock clock) {
        return new Sessions(routerId, keys, SessionKeyPairs.inMemory(routerId, keys, policy.keyRotation(), policy.inFlight(), clock), policy, clock);
    }

    public String routerId() {
        return routerId;
    }

    RouterKeys keys() {
        return keys;
    }

    /** HPKE encryptions/decryptions and signatures made/verified so far (one session start costs 2 on each side). */
    public long publicKeyOperations() {
        return publicKeyOperations.get();
    }

    void countPublicKeyOperations(int n) {
        publicKeyOperations.addAndGet(n);
    }

    /** Our current signed session key, announced in every envelope we seal. */
    SessionKey announcement() {
        return own.current();
    }

    /** Whether we hold a valid session key of {@code peer}: messages to it go in a session. */
    public boolean knowsSessionKeyOf(String peer) {
        Learned k = peerKeys.get(peer);
        return k != null && k.key().notAfterMillis() > clock.millis();
    }

    /**
     * Takes note of a session key announced by {@code sender}, after checking that its pinned
     * long-term keys signed it; the newest (latest not-after) is kept. Repeats of the last are not checked again.
     */
    void learn(PublicKeys sender, byte[] announced) throws EnvelopeException {
        String id = sender.routerId();
        unansweredSince.remove(id);
        Learned known = peerKeys.get(id);
        if (known != null && known.signer().equals(sender) && Arrays.equals(known.announced(), announced)) return;
        SessionKey k = SessionKey.decode(announced);
        try {
            publicKeyOperations.incrementAndGet();
            k.verify(sender);
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("session key announced by router " + id + " is not signed by its pinned keys", e);
        }
        Learned learned = new Learned(k, sender, announced.clone());
        // The newest key wins, unless the older was signed by long-term keys since replaced (a rotation, an operator's confirmation).
        peerKeys.merge(id, learned, (old, neu) -> !old.signer().equals(neu.signer()) || neu.key().notAfterMillis() >= old.key().notAfterMillis()
                ? neu : old);
    }

    /** A peer's session key, the pinned long-term keys it was checked with, and its encoding as announced. */
    private record Learned(SessionKey key, PublicKeys signer, byte[] announced) {}

    /**
     * The session to seal the next message to {@code recipientKeys}' router in; null if we know no
     * valid session key of it signed by exactly these (pinned) long-term keys.
     */
    Outbound outboundTo(PublicKeys recipientKeys) throws GeneralSecurityException {
        String recipient = recipientKeys.routerId();
        Learned learned = peerKeys.get(recipient);
        long now = clock.millis();
        if (learned == null || learned.key().notAfterMillis() <= now) return null;
        long silentSince = unansweredSince.computeIfAbsent(recipient, r -> now);
        if (!learned.signer().equals(recipientKeys) || now - silentSince > policy.inFlight().toMillis()) {
            // Its long-term keys changed since (a session key they did not sign is not used), or it has not answered
            // our sessions for longer than a message may travel: per message until the next message from it brings its key.
            peerKeys.remove(recipient, learned);
            unansweredSince.remove(recipient);
            outbound.remove(recipient);
            return null;
        }
        SessionKey peer = learned.key();
        Outbound o = outbound.get(recipient);
        if (o != null && o.usableFor(peer, now)) return o;
        synchronized (this) {
            o = outbound.get(recipient);
            if (o != null && o.usableFor(peer, now)) return o;
            o = startSession(recipient, peer, now);
            outbound.put(recipient, o);
            return o;
        }
    }

    private Outbound startSession(String recipient, SessionKey peer, long now) throws GeneralSecurityException {
        String sessionId = "s-" + HexFormat.of().formatHex(randomBytes(16));
        KeysetHandle large = KeysetHandle.generateNew(Tink.STREAMING);
        KeysetHandle small = KeysetHandle.generateNew(Tink.STREAMING_SMALL);
        byte[] secret = twoKeysets(large, small);
        byte[] wrapped;
        try {
            wrapped = peer.hybridEncrypt().encrypt(secret, SessionDescriptor.wrapContext(sessionId, routerId, recipient, peer.keyId()));
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        byte[] descriptor = new SessionDescriptor(sessionId, routerId, recipient, peer.keyId(), now, wrapped).encode();
        byte[] signature = keys.signer().sign(concat(SessionDescriptor.SIGNATURE_CONTEXT, descriptor));
        publicKeyOperations.addAndGet(2);
        long end = Math.min(now + policy.maxAge().toMillis(), peer.notAfterMillis());
        return new Outbound(sessionId, peer.keyId(), end, descriptor, signature,
                large.getPrimitive(Tink.CONFIG, StreamingAead.class), small.getPrimitive(Tink.CONFIG, StreamingAead.class));
    }

    /**
     * The session {@code descriptor} opens, after checking (once per session) that {@code sender}
     * signed it, that it is for us and names {@code sessionId}, and that it was wrapped to a session
     * key of ours that still exists. An accepted session's keys are kept in memory only while its
     * messages may still be in flight (the in-flight time after its last message); a message after
     * that is checked and unwrapped again, which works only as long as our session key exists.
     */
    Inbound inbound(PublicKeys sender, String sessionId, byte[] descriptor, byte[] signature) throws EnvelopeException {
        String key = sender.routerId() + "/" + sessionId;
        long now = clock.millis();
        long idle = policy.inFlight().toMillis();
        Inbound in;
        synchronized (inbound) {
            in = inbound.get(key);
        }
        // Forgotten when idle, or when the sender's long-term keys changed since: check the session again.
        if (in != null && (!in.signer().equals(sender) || in.lastUsedMillis().get() + idle < now)) in = null;
        if (in != null) {
            if (!Arrays.equals(in.descriptor(), descriptor)) {
                throw new EnvelopeException("message names session " + sessionId + " of router " + sender.routerId()
                        + " with another descriptor than the one that opened it");
            }
        } else {
            in = accept(sender, sessionId, descriptor, signature, now);
            synchronized (inbound) {
                inbound.values().removeIf(i -> i.lastUsedMillis().get() + idle < now);
                if (inbound.size() >= MAX_INBOUND) {
                    String eldest = inbound.keySet().iterator().next();
                    inbound.remove(eldest);
                }
                inbound.put(key, in);
            }
        }
        in.lastUsedMillis().accumulateAndGet(now, Math::max);
        return in;
    }

    private Inbound accept(PublicKeys sender, String sessionId, byte[] descriptor, byte[] signature, long now) throws EnvelopeException {
        String from = sender.routerId();
        try {
            publicKeyOperations.incrementAndGet();
            sender.verifier().verify(signature, concat(SessionDescriptor.SIGNATURE_CONTEXT, descriptor));
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("session " + sessionId + " is not signed by its sender " + from, e);
        }
        SessionDescriptor d = SessionDescriptor.decode(descriptor);
        if (!d.sessionId().equals(sessionId) || !d.senderId().equals(from)) {
            throw new EnvelopeException("message names session " + sessionId + " of router " + from + " but carries session "
                    + d.sessionId() + " of router " + d.senderId());
        }
        if (!d.recipientId().equals(routerId)) {
            throw new EnvelopeException("session " + sessionId + " of router " + from + " is for router " + d.recipientId()
                    + ", we are " + routerId);
        }
        // How long a session may last is its sender's choice (its link settings), bounded by the life of our session key.
        if (d.createdMillis() > now + policy.inFlight().toMillis()) {
            throw new EnvelopeException("session " + sessionId + " of router " + from + " is dated "
                    + java.time.Instant.ofEpochMilli(d.createdMillis()) + ", ahead of our clock");
        }
        HybridDecrypt decrypt = own.privateKey(d.recipientKeyId());
        if (decrypt == null) {
            throw new EnvelopeException("session " + sessionId + " of router " + from + " was wrapped to our session key "
                    + d.recipientKeyId() + ", which no longer exists (expired and deleted)");
        }
        byte[] secret;
        try {
            publicKeyOperations.incrementAndGet();
            secret = decrypt.decrypt(d.wrappedKeys(), SessionDescriptor.wrapContext(sessionId, from, routerId, d.recipientKeyId()));
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException("cannot unwrap the keys of session " + sessionId + " of router " + from, e);
        }
        try {
            KeysetHandle[] two = parseTwoKeysets(secret);
            return new Inbound(descriptor, sender, new AtomicLong(now),
                    two[0].getPrimitive(Tink.CONFIG, StreamingAead.class), two[1].getPrimitive(Tink.CONFIG, StreamingAead.class));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new EnvelopeException("session " + sessionId + " of router " + from + " has unusable keys", e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static byte[] twoKeysets(KeysetHandle large, KeysetHandle small) throws GeneralSecurityException {
        byte[] a = TinkProtoKeysetFormat.serializeKeyset(large, InsecureSecretKeyAccess.get());
        byte[] b = TinkProtoKeysetFormat.serializeKeyset(small, InsecureSecretKeyAccess.get());
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + a.length + b.length);
        out.writeBytes(ByteBuffer.allocate(4).putInt(a.length).array());
        out.writeBytes(a);
        out.writeBytes(b);
        Arrays.fill(a, (byte) 0);
        Arrays.fill(b, (byte) 0);
        return out.toByteArray();
    }

    /** The 1 MiB-segment keyset then the 4 KiB one, each exactly one AES-256-GCM-HKDF key (no downgrade). */
    private static KeysetHandle[] parseTwoKeysets(byte[] secret) throws GeneralSecurityException {
        ByteBuffer b = ByteBuffer.wrap(secret);
        int n = b.getInt();
        if (n < 1 || n > secret.length - 4) throw new GeneralSecurityException("malformed session keys");
        KeysetHandle large = TinkProtoKeysetFormat.parseKeyset(Arrays.copyOfRange(secret, 4, 4 + n), InsecureSecretKeyAccess.get());
        KeysetHandle small = TinkProtoKeysetFormat.parseKeyset(Arrays.copyOfRange(secret, 4 + n, secret.length), InsecureSecretKeyAccess.get());
        if (large.size() != 1 || !Tink.STREAMING.equals(large.getAt(0).getKey().getParameters())
                || small.size() != 1 || !Tink.STREAMING_SMALL.equals(small.getAt(0).getKey().getParameters())) {
            throw new GeneralSecurityException("unexpected session key types");
        }
        return new KeysetHandle[] {large, small};
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** A session we send in; rotated by time (its own age, its recipient key's expiry) and volume. */
    final class Outbound {
        final String sessionId;
        final String peerKeyId;
        final long endMillis;
        final byte[] descriptor;
        final byte[] signature;
        final StreamingAead large;
        final StreamingAead small;
        final AtomicLong messages = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();

        Outbound(String sessionId, String peerKeyId, long endMillis, byte[] descriptor, byte[] signature, StreamingAead large, StreamingAead small) {
            this.sessionId = sessionId;
            this.peerKeyId = peerKeyId;
            this.endMillis = endMillis;
            this.descriptor = descriptor;
            this.signature = signature;
            this.large = large;
            this.small = small;
        }

        boolean usableFor(SessionKey peer, long now) {
            return peer.keyId().equals(peerKeyId) && now < endMillis && messages.get() < policy.maxMessages() && bytes.get() < policy.maxBytes();
        }
    }

    /** A session we accepted, cached by sender and session id until no message of it can be in flight. */
    record Inbound(byte[] descriptor, PublicKeys signer, AtomicLong lastUsedMillis, StreamingAead large, StreamingAead small) {}
}
