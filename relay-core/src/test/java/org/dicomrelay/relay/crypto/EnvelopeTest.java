package org.dicomrelay.relay.crypto;

import org.dicomrelay.testkit.ByteSearch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The envelope's properties: what goes in comes out, and anything else (one changed byte, a cut,
 * a splice, a wrong key, a wrong recipient, an unknown sender) is an {@link EnvelopeException},
 * never silently wrong plaintext.
 */
class EnvelopeTest {
    static final RouterKeys A = RouterKeys.generate();
    static final RouterKeys B = RouterKeys.generate();
    static final RouterKeys C = RouterKeys.generate();
    static final RouterKeys M = RouterKeys.generate(); // an enrolled but malicious router
    static final PublicKeys PUB_A = A.publicKeys("router-a");
    static final PublicKeys PUB_B = B.publicKeys("router-b");
    static final PublicKeys PUB_C = C.publicKeys("router-c");
    static final PublicKeys PUB_M = M.publicKeys("router-m");
    static final Function<String, PublicKeys> DIRECTORY =
            Map.of("router-a", PUB_A, "router-b", PUB_B, "router-c", PUB_C, "router-m", PUB_M)::get;
    static final int SEGMENT = 1 << 20; // Tink AES256_GCM_HKDF_1MB ciphertext segment
    static final int STREAM_HEADER = 40; // Tink AES-GCM-HKDF stream header for 32-byte keys
    static final Stamp STAMP = Stamp.of(7, 1_700_000_000_000L);

    static byte[] seal(byte[] plaintext, RouterKeys sender, String senderId, PublicKeys recipient, String messageId) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream s = Envelope.seal(out, sender, senderId, recipient, "application/dicom", messageId, EnvelopeTest.STAMP)) {
            s.write(plaintext);
        }
        return out.toByteArray();
    }

    static byte[] sealAtoB(byte[] plaintext) throws IOException {
        return seal(plaintext, A, "router-a", PUB_B, "msg-" + System.nanoTime());
    }

    static byte[] openAll(byte[] sealed, RouterKeys recipient, String recipientId) throws IOException {
        try (Envelope.Opened o = Envelope.open(new ByteArrayInputStream(sealed), recipient, recipientId, DIRECTORY)) {
            return o.plaintext().readAllBytes();
        }
    }

    static byte[] pattern(int length, long seed) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Length of header length + header + signature length + signature. */
    static int prefixLength(byte[] sealed) {
        ByteBuffer b = ByteBuffer.wrap(sealed);
        int header = b.getInt();
        b.position(4 + header);
        int signature = b.getInt();
        return 4 + header + 4 + signature;
    }

    /**
     * Opens and reads to the end, expecting rejection; whatever plaintext came out before the
     * rejection must be a prefix of the real plaintext (no bad bytes, ever).
     */
    static EnvelopeException assertRejected(byte[] sealed, byte[] plaintext) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (Envelope.Opened o = Envelope.open(new ByteArrayInputStream(sealed), B, "router-b", DIRECTORY)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = o.plaintext().read(buf)) >= 0; ) got.write(buf, 0, n);
            fail("tampered envelope was accepted");
            return null;
        } catch (EnvelopeException e) {
            byte[] g = got.toByteArray();
            assertThat(g.length).isLessThanOrEqualTo(plaintext.length);
            assertThat(Arrays.equals(g, Arrays.copyOf(plaintext, g.length))).as("bytes returned before rejection are authentic").isTrue();
            assertThat(g.length).as("rejected before end of stream").isLessThan(Math.max(plaintext.length, 1));
            return e;
        } catch (IOException e) {
            throw new AssertionError("expected EnvelopeException, got " + e, e);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, SEGMENT - STREAM_HEADER - 16 - 1, SEGMENT - STREAM_HEADER - 16, SEGMENT - STREAM_HEADER - 16 + 1,
            SEGMENT, 2 * SEGMENT - STREAM_HEADER - 32, 3 * SEGMENT + 12345})
    void roundTripGivesBackThePlaintextAndTheAuthenticatedHeader(int size) throws IOException {
        byte[] plaintext = pattern(size, size);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream s = Envelope.seal(out, A, "router-a", PUB_B, "application/dicom", "m-0123456789", EnvelopeTest.STAMP)) {
            // uneven writes, including single bytes
            int i = 0;
            if (size > 0) s.write(plaintext[i++]);
            while (i < size) {
                int n = Math.min(size - i, 77_777);
                s.write(plaintext, i, n);
                i += n;
            }
        }
        try (Envelope.Opened o = Envelope.open(new ByteArrayInputStream(out.toByteArray()), B, "router-b", DIRECTORY)) {
            assertThat(o.senderId()).isEqualTo("router-a");
            assertThat(o.contentType()).isEqualTo("application/dicom");
            assertThat(o.messageId()).isEqualTo("m-0123456789");
            assertThat(o.stamp()).isEqualTo(STAMP);
            assertThat(o.plaintext().readAllBytes()).isEqualTo(plaintext);
        }
    }

    /** Issue 9, replays: the sequence number, sending time and frame binding are signed; none can be changed. */
    @Test
    void theStampComesBackAsSignedAndCannotBeChanged() throws IOException {
        Stamp stamp = Stamp.of(42, 1_800_000_000_123L).forPayloadOf("frame-message-1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream s = Envelope.seal(out, A, "router-a", PUB_B, "payload", "blob-1", stamp)) {
            s.write(pattern(100, 1));
        }
        byte[] sealed = out.toByteArray();
        try (Envelope.Opened o = Envelope.open(new ByteArrayInputStream(sealed), B, "router-b", DIRECTORY)) {
            assertThat(o.stamp()).isEqualTo(stamp);
            assertThat(o.stamp().boundTo()).isEqualTo("frame-message-1");
        }
        int headerLength = ByteBuffer.wrap(sealed).getInt();
        Header h = Header.decode(Arrays.copyOfRange(sealed, 4, 4 + headerLength));
        // A replayer moves the sequence number past the window, or refreshes the time: the signature no longer verifies.
        for (Header changed : List.of(
                new Header(h.version(), h.senderId(), h.recipientId(), h.messageId(), h.contentType(), 43, h.sentAtMillis(), null, h.boundTo(), h.wrappedKey()),
                new Header(h.version(), h.senderId(), h.recipientId(), h.messageId(), h.contentType(), 42, h.sentAtMillis() + 600_000, null, h.boundTo(), h.wrappedKey()),
                new Header(h.version(), h.senderId(), h.recipientId(), h.messageId(), h.contentType(), 42, h.sentAtMillis(), null, "frame-message-2", h.wrappedKey()))) {
            byte[] t = sealed.clone();
            byte[] encoded = changed.encode();
            assertThat(encoded.length).isEqualTo(headerLength);
            System.arraycopy(encoded, 0, t, 4, headerLength);
            assertThatThrownBy(() -> openAll(t, B, "router-b")).isInstanceOf(EnvelopeException.class)
                    .hasMessageContaining("signature does not verify for sender router-a");
        }
    }

    /** A session message is opened only through the router's sessions, never with the long-term private key alone. */
    @Test
    void anEnvelopeNamingASessionIsRefused() throws IOException {
        byte[] sealed = sealAtoB(pattern(100, 3));
        int headerLength = ByteBuffer.wrap(sealed).getInt();
        Header h = Header.decode(Arrays.copyOfRange(sealed, 4, 4 + headerLength));
        byte[] withSession = new Header(h.version(), h.senderId(), h.recipientId(), h.messageId(), h.contentType(), h.sequence(),
                h.sentAtMillis(), "session-1", h.boundTo(), h.wrappedKey()).encode();
        byte[] t = rebuild(withSession, A, Arrays.copyOfRange(sealed, prefixLength(sealed), sealed.length));
        assertThatThrownBy(() -> openAll(t, B, "router-b")).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("names session session-1");
    }

    /** Link protocol v2 is a clean break: a version 1 envelope (no sequence number, no time) is refused, even validly signed. */
    @Test
    void aVersionOneEnvelopeIsRefused() throws IOException {
        byte[] sealed = sealAtoB(pattern(100, 2));
        int headerLength = ByteBuffer.wrap(sealed).getInt();
        byte[] header = Arrays.copyOfRange(sealed, 4, 4 + headerLength);
        header[4] = 1;
        byte[] v1 = rebuild(header, A, Arrays.copyOfRange(sealed, prefixLength(sealed), sealed.length));
        assertThatThrownBy(() -> openAll(v1, B, "router-b")).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("unsupported envelope version 1");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 300, 4096, 50_000})
    void smallSegmentEnvelopesRoundTripAndEveryFlippedByteIsRejected(int size) throws IOException {
        byte[] plaintext = pattern(size, size + 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream s = Envelope.sealSmall(out, A, "router-a", PUB_B, "frame", "m-small-000000001", EnvelopeTest.STAMP)) {
            s.write(plaintext);
        }
        byte[] sealed = out.toByteArray();
        assertThat(openAll(sealed, B, "router-b")).isEqualTo(plaintext);
        if (size == 300) {
            for (int i = 0; i < sealed.length; i++) {
                byte[] bad = sealed.clone();
                bad[i] ^= 0x10;
                int at = i;
                try {
                    openAll(bad, B, "router-b");
                    throw new AssertionError("a flip at byte " + at + " of " + sealed.length + " went unnoticed");
                } catch (EnvelopeException expected) {
                    // rejected, as it must be
                }
            }
        }
    }

    @Test
    void singleByteReadsRoundTrip() throws IOException {
        byte[] plaintext = pattern(5000, 1);
        byte[] sealed = sealAtoB(plaintext);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (Envelope.Opened o = Envelope.open(new ByteArrayInputStream(sealed), B, "router-b", DIRECTORY)) {
            for (int c; (c = o.plaintext().read()) >= 0; ) got.write(c);
        }
        assertThat(got.toByteArray()).isEqualTo(plaintext);
    }

    @Test
    void everyMessageHasAFreshKey() throws IOException {
        byte[] plaintext = pattern(1000, 2);
        byte[] one = seal(plaintext, A, "router-a", PUB_B, "same-id");
        byte[] two = seal(plaintext, A, "router-a", PUB_B, "same-id");
        int p1 = prefixLength(one), p2 = prefixLength(two);
        assertThat(Arrays.copyOfRange(one, p1, one.length)).isNotEqualTo(Arrays.copyOfRange(two, p2, two.length));
    }

    @Test
    void flippingAnySingleByteOfASmallEnvelopeIsRejected() throws IOException {
        byte[] plaintext = pattern(300, 3);
        byte[] sealed = sealAtoB(plaintext);
        for (int i = 0; i < sealed.length; i++) {
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] t = sealed.clone();
                t[i] ^= (byte) bit;
                int at = i;
                try {
                    assertRejected(t, plaintext);
                } catch (AssertionError e) {
                    throw new AssertionError("flip of bit " + bit + " at byte " + at + " of " + sealed.length + ": " + e.getMessage(), e);
                }
            }
        }
    }

    @Test
    void flippingOneByteInHeaderSignatureWrappedKeyOrAnyCiphertextSegmentIsRejected() throws IOException {
        byte[] plaintext = pattern(3 * SEGMENT + SEGMENT / 2, 4); // 4 ciphertext segments
        byte[] sealed = sealAtoB(plaintext);
        int headerLength = ByteBuffer.wrap(sealed).getInt();
        int prefix = prefixLength(sealed);
        int wrappedKeyEnd = 4 + headerLength - 3; // then the flags and an empty announced key close the header
        int c = prefix; // ciphertext start
        Header h = Header.decode(Arrays.copyOfRange(sealed, 4, 4 + headerLength));
        int stampStart = 4 + 5 + 4 + h.senderId().length() + h.recipientId().length() + h.messageId().length() + h.contentType().length();
        Map<String, Integer> places = new java.util.LinkedHashMap<>();
        places.put("header length", 3);
        places.put("magic", 4);
        places.put("version", 8);
        places.put("sender id", 10);
        places.put("sequence number, last byte", stampStart + 7);
        places.put("sending time, last byte", stampStart + 15);
        places.put("wrapped key, first byte", wrappedKeyEnd - 150);
        places.put("wrapped key, last byte", wrappedKeyEnd - 1);
        places.put("signature length", wrappedKeyEnd + 3);
        places.put("signature key id", wrappedKeyEnd + 5);
        places.put("signature, last byte", prefix - 1);
        places.put("stream header length", c);
        places.put("stream header salt", c + 10);
        places.put("stream header nonce prefix", c + STREAM_HEADER - 1);
        places.put("first segment", c + 5000);
        places.put("first segment tag", c + SEGMENT - 1);
        places.put("second segment start", c + SEGMENT);
        places.put("middle segment", c + 2 * SEGMENT + SEGMENT / 2);
        places.put("last segment", c + 3 * SEGMENT + 100);
        places.put("last byte", sealed.length - 1);
        assertThat(sealed.length - c).isGreaterThan(3 * SEGMENT);
        for (Map.Entry<String, Integer> p : places.entrySet()) {
            byte[] t = sealed.clone();
            t[p.getValue()] ^= 0x20;
            try {
                assertRejected(t, plaintext);
            } catch (AssertionError e) {
                throw new AssertionError(p.getKey() + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void modifiedCiphertextIsReportedAsSuch() throws IOException {
        byte[] plaintext = pattern(2 * SEGMENT, 5);
        byte[] sealed = sealAtoB(plaintext);
        sealed[prefixLength(sealed) + SEGMENT + 7] ^= 1;
        assertThat(assertRejected(sealed, plaintext)).hasMessageContaining("ciphertext modified or truncated");
    }

    @Test
    void truncationAnywhereIsRejected() throws IOException {
        byte[] plaintext = pattern(3 * SEGMENT + 1000, 6);
        byte[] sealed = sealAtoB(plaintext);
        int headerLength = ByteBuffer.wrap(sealed).getInt();
        int c = prefixLength(sealed);
        int[] cuts = {0, 3, 4, 4 + headerLength / 2, 4 + headerLength, 4 + headerLength + 4, c - 1, c, c + 1,
                c + STREAM_HEADER, c + STREAM_HEADER + 100, c + SEGMENT - 1, c + SEGMENT, c + SEGMENT + 1,
                c + 2 * SEGMENT, c + 3 * SEGMENT, sealed.length - 17, sealed.length - 16, sealed.length - 1};
        for (int cut : cuts) {
            try {
                assertRejected(Arrays.copyOf(sealed, cut), plaintext);
            } catch (AssertionError e) {
                throw new AssertionError("cut at " + cut + " of " + sealed.length + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void truncationOfTheCiphertextIsReportedAsSuch() throws IOException {
        byte[] plaintext = pattern(2 * SEGMENT + 10, 7);
        byte[] sealed = sealAtoB(plaintext);
        EnvelopeException e = assertRejected(Arrays.copyOf(sealed, prefixLength(sealed) + SEGMENT), plaintext);
        assertThat(e).hasMessageContaining("ciphertext modified or truncated");
    }

    @Test
    void truncationOfASmallEnvelopeAtEveryLengthIsRejected() throws IOException {
        byte[] plaintext = pattern(200, 8);
        byte[] sealed = sealAtoB(plaintext);
        for (int cut = 0; cut < sealed.length; cut++) {
            assertRejected(Arrays.copyOf(sealed, cut), plaintext);
        }
    }

    @Test
    void appendedBytesAreRejected() throws IOException {
        byte[] plaintext = pattern(2 * SEGMENT, 9);
        byte[] sealed = sealAtoB(plaintext);
        for (int extra : new int[] {1, 16, 1000}) {
            assertRejected(Arrays.copyOf(sealed, sealed.length + extra), plaintext);
        }
        byte[] small = pattern(10, 9);
        byte[] smallSealed = sealAtoB(small);
        assertRejected(Arrays.copyOf(smallSealed, smallSealed.length + 1), small);
    }

    @Test
    void anEnvelopeForAnotherRouterIsNotAddressedToUs() throws IOException {
        byte[] sealed = sealAtoB(pattern(100, 10));
        assertThatThrownBy(() -> openAll(sealed, C, "router-c"))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("not addressed to us");
    }

    @Test
    void anEnvelopeCannotBeOpenedWithAnotherRoutersPrivateKey() throws IOException {
        byte[] sealed = sealAtoB(pattern(100, 11));
        // C claims to be router-b: the header passes, but the message key was wrapped for B's key.
        assertThatThrownBy(() -> openAll(sealed, C, "router-b"))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("cannot unwrap");
    }

    @Test
    void anUnknownSenderIsRejectedBeforeDecryption() throws IOException {
        byte[] sealed = sealAtoB(pattern(100, 12));
        Function<String, PublicKeys> withoutA = id -> id.equals("router-a") ? null : DIRECTORY.apply(id);
        assertThatThrownBy(() -> Envelope.open(new ByteArrayInputStream(sealed), B, "router-b", withoutA))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("unknown sender router-a");
    }

    @Test
    void aSignatureByAnotherKeyDoesNotVerify() throws IOException {
        byte[] sealed = sealAtoB(pattern(100, 13));
        // The directory has other keys on record for router-a (e.g. rotated, or M impersonating A).
        PublicKeys impostor = new PublicKeys("router-a", PUB_M.hpkePublicKeyset(), PUB_M.signaturePublicKeyset());
        assertThatThrownBy(() -> Envelope.open(new ByteArrayInputStream(sealed), B, "router-b", id -> impostor))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("signature does not verify for sender router-a");
        // The signature is checked before any decryption: with the wrong private key as well, the
        // signature is what fails, not the key unwrapping.
        assertThatThrownBy(() -> Envelope.open(new ByteArrayInputStream(sealed), C, "router-b", id -> impostor))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("signature does not verify");
    }

    @Test
    void aSenderCannotClaimAnotherRoutersId() throws IOException {
        // M seals but names itself router-a: A's keys are looked up and M's signature fails.
        byte[] sealed = seal(pattern(100, 14), M, "router-a", PUB_B, "forged-1");
        assertThatThrownBy(() -> openAll(sealed, B, "router-b"))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("signature does not verify for sender router-a");
    }

    @Test
    void keysRecordedForAnotherRouterAreNotAccepted() throws IOException {
        byte[] sealed = sealAtoB(pattern(100, 15));
        assertThatThrownBy(() -> Envelope.open(new ByteArrayInputStream(sealed), B, "router-b", id -> PUB_M))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("belong to router router-m");
    }

    @Test
    void aHeaderReplayedWithAnotherMessagesCiphertextIsRejected() throws IOException {
        byte[] p1 = pattern(3000, 16), p2 = pattern(3000, 17);
        for (String[] ids : new String[][] {{"msg-1", "msg-2"}, {"same", "same"}}) {
            byte[] one = seal(p1, A, "router-a", PUB_B, ids[0]);
            byte[] two = seal(p2, A, "router-a", PUB_B, ids[1]);
            int k1 = prefixLength(one), k2 = prefixLength(two);
            byte[] spliced = new byte[k1 + two.length - k2];
            System.arraycopy(one, 0, spliced, 0, k1);
            System.arraycopy(two, k2, spliced, k1, two.length - k2);
            assertThat(assertRejected(spliced, p2)).hasMessageContaining("ciphertext modified or truncated");
        }
    }

    @Test
    void aReSignedHeaderCannotClaimAnotherSendersMessage() throws IOException {
        // M copies A's wrapped key and ciphertext under a header naming M as sender, signed by M.
        byte[] plaintext = pattern(1000, 18);
        byte[] sealed = sealAtoB(plaintext);
        int headerLength = ByteBuffer.wrap(sealed).getInt();
        Header h = Header.decode(Arrays.copyOfRange(sealed, 4, 4 + headerLength));
        byte[] forgedHeader = new Header(h.version(), "router-m", h.recipientId(), h.messageId(), h.contentType(), h.sequence(), h.sentAtMillis(), h.sessionId(), h.boundTo(), h.wrappedKey()).encode();
        byte[] forged = rebuild(forgedHeader, M, Arrays.copyOfRange(sealed, prefixLength(sealed), sealed.length));
        assertThatThrownBy(() -> openAll(forged, B, "router-b"))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("cannot unwrap");

        // The same with A's own signature re-made over a changed content type: the key unwraps,
        // but the ciphertext is bound to the original header.
        byte[] retyped = new Header(h.version(), h.senderId(), h.recipientId(), h.messageId(), "text/plain", h.sequence(), h.sentAtMillis(), h.sessionId(), h.boundTo(), h.wrappedKey()).encode();
        byte[] moved = rebuild(retyped, A, Arrays.copyOfRange(sealed, prefixLength(sealed), sealed.length));
        assertThat(assertRejected(moved, plaintext)).hasMessageContaining("ciphertext modified or truncated");
    }

    private static byte[] rebuild(byte[] header, RouterKeys signer, byte[] ciphertext) {
        try {
            byte[] toSign = Arrays.copyOf(Envelope.SIGNATURE_CONTEXT, Envelope.SIGNATURE_CONTEXT.length + header.length);
            System.arraycopy(header, 0, toSign, Envelope.SIGNATURE_CONTEXT.length, header.length);
            byte[] sig = signer.signer().sign(toSign);
            ByteBuffer b = ByteBuffer.allocate(8 + header.length + sig.length + ciphertext.length);
            b.putInt(header.length).put(header).putInt(sig.length).put(sig).put(ciphertext);
            return b.array();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void sealedBytesContainNeitherPlaintextNorPatientData() throws IOException {
        String record = "PatientName=DOE^JANE PatientID=MRN-4711-XYZ BirthDate=19700101 Institution=St Elsewhere ";
        byte[] plaintext = record.repeat(500).getBytes(StandardCharsets.UTF_8);
        byte[] sealed = seal(plaintext, A, "router-a", PUB_B, "Zq3v9K0aPbX7cLm2Rt5wYd8eHf1gJn4s");
        List<String> secrets = List.of("DOE^JANE", "MRN-4711", "19700101", "Elsewhere", "PatientName");
        for (String s : secrets) {
            for (java.nio.charset.Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
                assertThat(ByteSearch.indexOf(sealed, s.getBytes(cs))).as(s + " in " + cs).isEqualTo(-1);
            }
        }
        // any 8-byte window of the plaintext
        for (int i = 0; i + 8 <= record.length(); i++) {
            assertThat(ByteSearch.indexOf(sealed, Arrays.copyOfRange(plaintext, i, i + 8))).isEqualTo(-1);
        }
        // what is in clear: router ids, the message id, the content type
        assertThat(ByteSearch.indexOf(sealed, "router-a".getBytes(StandardCharsets.US_ASCII))).isPositive();
        assertThat(ByteSearch.indexOf(sealed, "router-b".getBytes(StandardCharsets.US_ASCII))).isPositive();
    }


    @Test
    void headerAndSignatureLengthsAreBoundedSoGarbageCannotAllocateMuch() {
        List<byte[]> garbage = new ArrayList<>();
        garbage.add(new byte[] {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
        garbage.add(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        garbage.add(ByteBuffer.allocate(8).putInt(Envelope.MAX_HEADER_LENGTH + 1).array());
        garbage.add(ByteBuffer.allocate(8).putInt(0).array());
        garbage.add(ByteBuffer.allocate(4).putInt(Envelope.MAX_HEADER_LENGTH).array()); // then nothing
        garbage.add(pattern(100_000, 19));
        garbage.add("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (byte[] g : garbage) {
            assertThatThrownBy(() -> openAll(g, B, "router-b")).isInstanceOf(EnvelopeException.class);
        }
        ByteBuffer bigSignature = ByteBuffer.allocate(4 + 10 + 4);
        bigSignature.putInt(10).put(new byte[10]).putInt(Envelope.MAX_SIGNATURE_LENGTH + 1);
        assertThatThrownBy(() -> openAll(bigSignature.array(), B, "router-b"))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("signature length");
    }

    @Test
    void ioErrorsOfTheSourceAreNotMistakenForTampering() throws IOException {
        byte[] sealed = sealAtoB(pattern(2 * SEGMENT, 20));
        int failAt = prefixLength(sealed) + SEGMENT + 100;
        InputStream failing = new FilterInputStream(new ByteArrayInputStream(sealed)) {
            long pos;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= failAt) throw new IOException("connection reset");
                int n = super.read(b, off, (int) Math.min(len, failAt - pos));
                if (n > 0) pos += n;
                return n;
            }
        };
        try (Envelope.Opened o = Envelope.open(failing, B, "router-b", DIRECTORY)) {
            assertThatThrownBy(() -> o.plaintext().readAllBytes())
                    .isInstanceOf(IOException.class).isNotInstanceOf(EnvelopeException.class).hasMessage("connection reset");
        }
    }

    @Test
    void idsThatCouldCarryFreeTextAreRefusedWhenSealing() {
        for (String bad : new String[] {"", "DOE JANE", "Müller", "a\nb", "x".repeat(256)}) {
            assertThatThrownBy(() -> Envelope.seal(new ByteArrayOutputStream(), A, "router-a", PUB_B, "application/dicom", bad, EnvelopeTest.STAMP))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Envelope.seal(new ByteArrayOutputStream(), A, bad, PUB_B, "application/dicom", "m1", EnvelopeTest.STAMP))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void closingTheSealingStreamClosesTheSinkAndEndsTheMessage() throws IOException {
        boolean[] closed = {false};
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        OutputStream s = Envelope.seal(sink, A, "router-a", PUB_B, "application/dicom", "m2", EnvelopeTest.STAMP);
        s.write(1);
        s.close();
        s.close();
        assertThat(closed[0]).isTrue();
        assertThatThrownBy(() -> s.write(2)).isInstanceOf(IOException.class);
        assertThat(openAll(sink.toByteArray(), B, "router-b")).containsExactly(1);
    }

    @Test
    void anUnclosedMessageIsRejectedAsTruncated() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream s = Envelope.seal(sink, A, "router-a", PUB_B, "application/dicom", "m3", EnvelopeTest.STAMP);
        byte[] plaintext = pattern(SEGMENT + 5, 21);
        s.write(plaintext); // the first segment is out, the rest is buffered
        assertRejected(sink.toByteArray(), plaintext);
    }
}
