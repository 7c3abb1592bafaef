package org.dicomrelay.relay.crypto;

import org.dicomrelay.testkit.MovableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Link sessions (issue 9, point 5): public-key work once per session, forward secrecy once the
 * session key is deleted, descriptors bound to sender and recipient, rotation by count, volume and
 * time, messages bound to their session.
 */
class SessionsTest {
    static final RouterKeys A = RouterKeys.generate();
    static final RouterKeys B = RouterKeys.generate();
    static final RouterKeys C = RouterKeys.generate();
    static final RouterKeys M = RouterKeys.generate();
    static final Map<String, PublicKeys> PUB = Map.of("router-a", A.publicKeys("router-a"), "router-b", B.publicKeys("router-b"),
            "router-c", C.publicKeys("router-c"), "router-m", M.publicKeys("router-m"));
    static final Function<String, PublicKeys> DIRECTORY = PUB::get;
    static final SessionPolicy POLICY = SessionPolicy.DEFAULT;

    final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
    long sequence;

    Sessions sessions(String id, RouterKeys keys, SessionPolicy policy) {
        return Sessions.inMemory(id, keys, policy, clock);
    }

    byte[] seal(Sessions from, String to, byte[] plaintext) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream s = Envelope.seal(out, from, PUB.get(to), "frame", "m-" + (++sequence), Stamp.of(sequence, clock.millis()), true)) {
            s.write(plaintext);
        }
        return out.toByteArray();
    }

    static byte[] open(Sessions at, byte[] sealed) throws IOException {
        try (Envelope.Opened o = Envelope.open(new ByteArrayInputStream(sealed), at, DIRECTORY)) {
            return o.plaintext().readAllBytes();
        }
    }

    /** The envelope's parts: header, signature block, ciphertext. */
    record Parts(byte[] header, byte[] signature, byte[] ciphertext) {
        static Parts of(byte[] sealed) {
            ByteBuffer b = ByteBuffer.wrap(sealed);
            byte[] h = new byte[b.getInt()];
            b.get(h);
            byte[] s = new byte[b.getInt()];
            b.get(s);
            byte[] c = new byte[b.remaining()];
            b.get(c);
            return new Parts(h, s, c);
        }

        Header decoded() throws EnvelopeException {
            return Header.decode(header);
        }

        byte[] with(byte[] newHeader, byte[] newSignature) {
            ByteBuffer b = ByteBuffer.allocate(8 + newHeader.length + newSignature.length + ciphertext.length);
            return b.putInt(newHeader.length).put(newHeader).putInt(newSignature.length).put(newSignature).put(ciphertext).array();
        }
    }

    /** A and B have exchanged one message each way: each knows the other's session key. */
    void introduce(Sessions a, Sessions b) throws IOException {
        open(b, seal(a, b.routerId(), "hello".getBytes()));
        open(a, seal(b, a.routerId(), "hello".getBytes()));
    }

    @Test
    void theFirstMessageToAnUnknownPeerGoesPerMessageAndAnnouncesOurSessionKey() throws IOException {
        Sessions a = sessions("router-a", A, POLICY);
        Sessions b = sessions("router-b", B, POLICY);
        byte[] first = seal(a, "router-b", "one".getBytes());
        assertThat(Parts.of(first).decoded().sessionId()).isNull();
        assertThat(Parts.of(first).decoded().announced()).isNotNull();
        assertThat(open(b, first)).isEqualTo("one".getBytes());
        assertThat(b.knowsSessionKeyOf("router-a")).isTrue();
        assertThat(Parts.of(seal(b, "router-a", "two".getBytes())).decoded().sessionId()).isNotNull();
    }

    @Test
    void aSessionsMessagesDoNoPublicKeyWorkAfterTheFirst() throws IOException {
        Sessions a = sessions("router-a", A, POLICY);
        Sessions b = sessions("router-b", B, POLICY);
        introduce(a, b);
        open(b, seal(a, "router-b", "first in session".getBytes()));
        long aBefore = a.publicKeyOperations();
        long bBefore = b.publicKeyOperations();
        String session = null;
        for (int i = 0; i < 20; i++) {
            byte[] sealed = seal(a, "router-b", ("message " + i).getBytes());
            String id = Parts.of(sealed).decoded().sessionId();
            if (session == null) session = id;
            assertThat(id).isEqualTo(session);
            assertThat(open(b, sealed)).isEqualTo(("message " + i).getBytes());
        }
        assertThat(a.publicKeyOperations()).isEqualTo(aBefore);
        assertThat(b.publicKeyOperations()).isEqualTo(bBefore);
    }

    @Test
    void startingASessionCostsOneWrapAndOneSignatureOnEachSide() throws IOException {
        Sessions a = sessions("router-a", A, POLICY);
        Sessions b = sessions("router-b", B, POLICY);
        introduce(a, b);
        long aBefore = a.publicKeyOperations();
        long bBefore = b.publicKeyOperations();
        open(b, seal(a, "router-b", "x".getBytes()));
        assertThat(a.publicKeyOperations() - aBefore).isEqualTo(2);
        assertThat(b.publicKeyOperations() - bBefore).isEqualTo(2);
    }

    /** Forward secrecy: once B's session key pair is deleted, a captured message does not open, even with B's long-term keys and disk. */
    @Test
    void aCapturedSessionMessageCannotBeOpenedAfterTheSessionKeyIsDeleted(@TempDir Path state) throws IOException {
        Sessions a = sessions("router-a", A, POLICY);
        Path dir = state.resolve("session-keys");
        Sessions b = new Sessions("router-b", B, SessionKeyPairs.in(dir, "router-b", B, POLICY.keyRotation(), POLICY.inFlight(), clock),
                POLICY, clock);
        introduce(a, b);
        byte[] captured = seal(a, "router-b", "patient data".getBytes());
        assertThat(Parts.of(captured).decoded().sessionId()).isNotNull();
        // The long-term private key alone never opens a session message.
        assertThatThrownBy(() -> Envelope.open(new ByteArrayInputStream(captured), B, "router-b", DIRECTORY))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("names session");
        try (var files = Files.list(dir)) {
            Path keyFile = files.filter(f -> f.getFileName().toString().startsWith("session-")).findFirst().orElseThrow();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        // Within its life, a restarted B (keys from disk) still opens it: messages in flight survive a restart.
        Sessions restarted = new Sessions("router-b", B, SessionKeyPairs.in(dir, "router-b", B, POLICY.keyRotation(), POLICY.inFlight(), clock),
                POLICY, clock);
        assertThat(open(restarted, captured)).isEqualTo("patient data".getBytes());

        clock.advance(POLICY.keyRotation().multipliedBy(2).plus(POLICY.inFlight()).plusSeconds(1));
        Sessions attacker = new Sessions("router-b", B, SessionKeyPairs.in(dir, "router-b", B, POLICY.keyRotation(), POLICY.inFlight(), clock),
                new SessionPolicy(Duration.ofDays(30), 1L << 30, 100_000, Duration.ofDays(30), Duration.ofDays(30)), clock);
        try (var files = Files.list(dir)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("session-")).toList()).isEmpty();
        }
        assertThatThrownBy(() -> open(attacker, captured)).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("no longer exists");
    }

    @Test
    void aDescriptorSignedByAnotherKeyIsRefused() throws Exception {
        Sessions a = sessions("router-a", A, POLICY);
        Sessions b = sessions("router-b", B, POLICY);
        introduce(a, b);
        Parts p = Parts.of(seal(a, "router-b", "x".getBytes()));
        byte[] forgedSignature = M.signer().sign(Sessions.concat(SessionDescriptor.SIGNATURE_CONTEXT, p.decoded().wrappedKey()));
        byte[] forged = p.with(p.header(), forgedSignature);
        assertThatThrownBy(() -> open(b, forged)).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("is not signed by its sender router-a");
    }

    /** A session A opened with C, its header re-addressed to B: B refuses the descriptor (signed by A, but for C). */
    @Test
    void aDescriptorForAnotherRecipientIsRefused() throws IOException {
        Sessions a = sessions("router-a", A, POLICY);
        Sessions b = sessions("router-b", B, POLICY);
        Sessions c = sessions("router-c", C, POLICY);
        introduce(a, b);
        introduce(a, c);
        Parts p = Parts.of(seal(a, "router-c", "for c".getBytes()));
        Header h = p.decoded();
        byte[] readdressed = new Header(h.version(), h.senderId(), "router-b", h.messageId(), h.contentType(), h.sequence(), h.sentAtMillis(),
                h.sessionId(), h.boundTo(), h.wrappedKey(), h.smallSegments(), h.announced()).encode();
        assertThatThrownBy(() -> open(b, p.with(readdressed, p.signature()))).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("is for router router-c, we are router-b");
    }

    /** Another router cannot claim A's session: the descriptor is checked with the claimed sender's key and names its sender. */
    @Test
    void anotherRouterCannotClaimASession() throws Exception {
        Sessions a = sessions("router-a", A, POLICY);
        Sessions b = sessions("router-b", B, POLICY);
        introduce(a, b);
        Parts p = Parts.of(seal(a, "router-b", "x".getBytes()));
        Header h = p.decoded();
        byte[] claimed = new Header(h.version(), "router-m", h.recipientId(), h.messageId(), h.contentType(), h.sequence(), h.sentAtMillis(),
                h.sessionId(), h.boundTo(), h.wrappedKey(), h.smallSegments(), null).encode();
        assertThatThrownBy(() -> open(b, p.with(claimed, p.signature()))).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("not signed by its sender router-m");
        byte[] resigned = M.signer().sign(Sessions.concat(SessionDescriptor.SIGNATURE_CONTEXT, h.wrappedKey()));
        assertThatThrownBy(() -> open(b, p.with(claimed, resigned))).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("carries session " + h.sessionId() + " of router router-a");
    }

    @Test
    void aMessageMovedToAnotherSessionIsRefused() throws IOException {
        SessionPolicy onePerSession = new SessionPolicy(Duration.ofHours(1), 1L << 30, 1, Duration.ofHours(24), Duration.ofMinutes(12));
        Sessions a = sessions("router-a", A, onePerSession);
        Sessions b = sessions("router-b", B, onePerSession);
        introduce(a, b);
        Parts first = Parts.of(seal(a, "router-b", "in session one".getBytes()));
        byte[] secondSealed = seal(a, "router-b", "in session two".getBytes());
        Parts second = Parts.of(secondSealed);
        assertThat(second.decoded().sessionId()).isNotEqualTo(first.decoded().sessionId());
        assertThat(open(b, secondSealed)).isEqualTo("in session two".getBytes());
        Header h = first.decoded();
        Header s2 = second.decoded();
        byte[] moved = new Header(h.version(), h.senderId(), h.recipientId(), h.messageId(), h.contentType(), h.sequence(), h.sentAtMillis(),
                s2.sessionId(), h.boundTo(), s2.wrappedKey(), h.smallSegments(), h.announced()).encode();
        assertThatThrownBy(() -> open(b, first.with(moved, second.signature()))).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("modified or truncated");
    }

    @Test
    void aSessionRotatesAfterItsMessageCount() throws IOException {
        SessionPolicy three = new SessionPolicy(Duration.ofHours(1), 1L << 30, 3, Duration.ofHours(24), Duration.ofMinutes(12));
        Sessions a = sessions("router-a", A, three);
        Sessions b = sessions("router-b", B, three);
        introduce(a, b);
        String[] ids = new String[7];
        for (int i = 0; i < ids.length; i++) {
            byte[] sealed = seal(a, "router-b", new byte[] {(byte) i});
            ids[i] = Parts.of(sealed).decoded().sessionId();
            assertThat(open(b, sealed)).containsExactly((byte) i);
        }
        assertThat(Arrays.asList(ids).subList(0, 3)).containsOnly(ids[0]);
        assertThat(Arrays.asList(ids).subList(3, 6)).containsOnly(ids[3]).doesNotContain(ids[0]);
        assertThat(ids[6]).isNotIn(ids[0], ids[3]);
    }

    @Test
    void aSessionRotatesAfterItsVolume() throws IOException {
        SessionPolicy small = new SessionPolicy(Duration.ofHours(1), 10_000, 100_000, Duration.ofHours(24), Duration.ofMinutes(12));
        Sessions a = sessions("router-a", A, small);
        Sessions b = sessions("router-b", B, small);
        introduce(a, b);
        String first = Parts.of(seal(a, "router-b", new byte[6000])).decoded().sessionId();
        assertThat(Parts.of(seal(a, "router-b", new byte[6000])).decoded().sessionId()).isEqualTo(first);
        assertThat(Parts.of(seal(a, "router-b", new byte[10])).decoded().sessionId()).isNotEqualTo(first);
    }

    @Test
    void aSessionRotatesAfterItsAgeAndTheRecipientForgetsItsKeysWhenNoMessageCanBeInFlight() throws IOException {
        Sessions a = sessions("router-a", A, POLICY);
        Sessions b = sessions("router-b", B, POLICY);
        introduce(a, b);
        byte[] early = seal(a, "router-b", "early".getBytes());
        String first = Parts.of(early).decoded().sessionId();
        assertThat(open(b, early)).isEqualTo("early".getBytes());
        clock.advance(POLICY.maxAge().minusSeconds(1));
        open(a, seal(b, "router-a", "an answer".getBytes())); // B keeps answering: A's sessions to it go on
        assertThat(Parts.of(seal(a, "router-b", "x".getBytes())).decoded().sessionId()).isEqualTo(first);
        clock.advance(Duration.ofSeconds(1));
        String next = Parts.of(seal(a, "router-b", "x".getBytes())).decoded().sessionId();
        assertThat(next).isNotNull().isNotEqualTo(first);
        // B kept the session's keys while a message could be in flight, then forgot them: opening again means unwrapping again.
        long before = b.publicKeyOperations();
        clock.advance(POLICY.inFlight().plusSeconds(1));
        assertThat(open(b, early)).isEqualTo("early".getBytes());
        assertThat(b.publicKeyOperations() - before).isEqualTo(2);
    }

    /** The Bridge (or the cloud) cannot substitute a session key: an announcement not signed by the pinned key is refused. */
    @Test
    void anAnnouncedSessionKeyNotSignedByThePinnedKeyIsRefused() throws Exception {
        Sessions b = sessions("router-b", B, POLICY);
        Sessions mallory = sessions("router-a", M, POLICY); // M's keys, claiming to be router-a
        SessionKey forged = mallory.announcement();
        Parts p = Parts.of(seal(sessions("router-a", A, POLICY), "router-b", "x".getBytes()));
        Header h = p.decoded();
        byte[] header = new Header(h.version(), h.senderId(), h.recipientId(), h.messageId(), h.contentType(), h.sequence(), h.sentAtMillis(),
                null, h.boundTo(), h.wrappedKey(), false, forged.encode()).encode();
        byte[] signed = A.signer().sign(Sessions.concat(Envelope.SIGNATURE_CONTEXT, header));
        assertThatThrownBy(() -> open(b, p.with(header, signed))).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("not signed by its pinned keys");
        assertThat(b.knowsSessionKeyOf("router-a")).isFalse();
    }

    @Test
    void sessionKeysRotateAndStayUsableForTwoPeriods() {
        Sessions b = sessions("router-b", B, POLICY);
        SessionKey first = b.announcement();
        assertThat(first.notAfterMillis()).isEqualTo(clock.millis() + 2 * POLICY.keyRotation().toMillis());
        clock.advance(POLICY.keyRotation().minusSeconds(1));
        assertThat(b.announcement()).isEqualTo(first);
        clock.advance(Duration.ofSeconds(1));
        assertThat(b.announcement().keyId()).isNotEqualTo(first.keyId());
    }

    /** After the recipient's long-term keys change (a rotation), a session key the old keys signed is not used any more. */
    @Test
    void aSessionKeySignedByReplacedLongTermKeysIsNotUsed() throws IOException {
        Sessions a = sessions("router-a", A, POLICY);
        Sessions b = sessions("router-b", B, POLICY);
        introduce(a, b);
        assertThat(Parts.of(seal(a, "router-b", "x".getBytes())).decoded().sessionId()).isNotNull();
        RouterKeys rotated = RouterKeys.generate();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream s = Envelope.seal(out, a, rotated.publicKeys("router-b"), "frame", "m-rotated", Stamp.of(99, clock.millis()), true)) {
            s.write(1);
        }
        assertThat(Parts.of(out.toByteArray()).decoded().sessionId()).as("per-message mode to the new keys").isNull();
        assertThat(a.knowsSessionKeyOf("router-b")).isFalse();
    }

    /** B lost its session keys (state restored from an old backup): A, unanswered for longer than a message travels, seals per message again. */
    @Test
    void aPeerThatLostItsSessionKeysIsReachedAgainPerMessage() throws IOException {
        Sessions a = sessions("router-a", A, POLICY);
        Sessions b = sessions("router-b", B, POLICY);
        introduce(a, b);
        Sessions bAfterLoss = sessions("router-b", B, POLICY);
        byte[] lost = seal(a, "router-b", "unreadable".getBytes());
        assertThat(Parts.of(lost).decoded().sessionId()).isNotNull();
        assertThatThrownBy(() -> open(bAfterLoss, lost)).isInstanceOf(EnvelopeException.class).hasMessageContaining("no longer exists");
        clock.advance(POLICY.inFlight().plusSeconds(1));
        byte[] again = seal(a, "router-b", "readable".getBytes());
        assertThat(Parts.of(again).decoded().sessionId()).as("per message, for B's long-term key").isNull();
        assertThat(open(bAfterLoss, again)).isEqualTo("readable".getBytes());
        open(a, seal(bAfterLoss, "router-a", "answer".getBytes()));
        byte[] resumed = seal(a, "router-b", "in a session again".getBytes());
        assertThat(Parts.of(resumed).decoded().sessionId()).isNotNull();
        assertThat(open(bAfterLoss, resumed)).isEqualTo("in a session again".getBytes());
    }
}
