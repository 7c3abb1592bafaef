package org.dicomrelay.relay.crypto;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 200 MB payload sealed and opened as streams in a 64 MB heap: surefire runs this class alone
 * in a JVM with -Xmx64m (the "small-heap" execution in relay-core/pom.xml). The plaintext is
 * generated as it is written and digested as it is read; neither side ever holds it.
 */
@Tag("small-heap")
class EnvelopeSmallHeapTest {
    static final long SIZE = 200L * 1024 * 1024;

    @Test
    void runsWithTheSmallHeap() {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(80L << 20);
    }

    @Test
    void twoHundredMegabytesRoundTripAsAStream() throws Exception {
        RouterKeys a = RouterKeys.generate(), b = RouterKeys.generate();
        PublicKeys pubA = a.publicKeys("router-a"), pubB = b.publicKeys("router-b");
        PipedInputStream pipeIn = new PipedInputStream(256 * 1024);
        PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> sent = writer.submit(() -> {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                SplittableRandom random = new SplittableRandom(42);
                byte[] chunk = new byte[100_000];
                try (OutputStream s = Envelope.seal(pipeOut, a, "router-a", pubB, "application/dicom", "big-1", EnvelopeTest.STAMP)) {
                    for (long left = SIZE; left > 0; ) {
                        int n = (int) Math.min(chunk.length, left);
                        random.nextBytes(chunk);
                        s.write(chunk, 0, n);
                        sha.update(chunk, 0, n);
                        left -= n;
                    }
                }
                return sha.digest();
            });
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long received = 0;
            try (Envelope.Opened o = Envelope.open(pipeIn, b, "router-b", Map.of("router-a", pubA)::get)) {
                InputStream p = o.plaintext();
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = p.read(buf)) >= 0; ) {
                    sha.update(buf, 0, n);
                    received += n;
                }
            }
            assertThat(received).isEqualTo(SIZE);
            assertThat(sha.digest()).isEqualTo(sent.get());
        } finally {
            writer.shutdownNow();
        }
    }
}
