package org.dicomrelay.bench;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's emulated WAN (issue 10: 25 ms each way, a rate shared per direction): what it
 * delivers is what was sent, no sooner than the delay allows and no faster than the rate. Bounds
 * only from below: a busy machine may be slower, never faster.
 */
class DelayProxyTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private ServerSocket echo;

    @BeforeEach void echoServer() throws IOException {
        echo = new ServerSocket(0, 50, LOOPBACK);
        threads.execute(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    threads.execute(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    @AfterEach void stop() throws IOException {
        echo.close();
        threads.shutdownNow();
    }

    private DelayProxy proxy(long delayMs, long bitsPerSecond) throws IOException {
        return DelayProxy.start(new InetSocketAddress(LOOPBACK, 0), new InetSocketAddress(LOOPBACK, echo.getLocalPort()),
                new SharedLink(delayMs * 1_000_000, bitsPerSecond), new SharedLink(delayMs * 1_000_000, bitsPerSecond));
    }

    /** Writes {@code data} through the proxy to the echo server, reads it back; returns {elapsed ns} and fills {@code back}. */
    private long roundTrip(DelayProxy p, byte[] data, byte[] back) throws Exception {
        try (Socket s = new Socket(LOOPBACK, p.port())) {
            s.setSoTimeout(30_000);
            long t0 = System.nanoTime();
            Future<?> send = threads.submit(() -> {
                s.getOutputStream().write(data);
                s.shutdownOutput();
                return null;
            });
            InputStream in = s.getInputStream();
            int off = 0, n;
            while (off < back.length && (n = in.read(back, off, back.length - off)) >= 0) off += n;
            long elapsed = System.nanoTime() - t0;
            send.get(30, TimeUnit.SECONDS);
            assertThat(off).as("bytes echoed").isEqualTo(back.length);
            assertThat(in.read()).as("the end after the echo").isEqualTo(-1);
            return elapsed;
        }
    }

    @Test void aRoundTripTakesTheDelayBothWaysAndTheBytesArriveIntact() throws Exception {
        try (DelayProxy p = proxy(25, 0)) {
            byte[] data = "C-ECHO-RQ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] back = new byte[data.length];
            long elapsed = roundTrip(p, data, back);
            assertThat(back).isEqualTo(data);
            assertThat(elapsed).as("round trip through 25 ms each way").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test void theRateBoundsBulkTransfer() throws Exception {
        // 2 MB each way at 40 Mbit/s (5 MB/s): at least 0.4 s, whatever the machine
        try (DelayProxy p = proxy(1, 40_000_000)) {
            byte[] data = new byte[2_000_000];
            new Random(10).nextBytes(data);
            byte[] back = new byte[data.length];
            long elapsed = roundTrip(p, data, back);
            assertThat(back).isEqualTo(data);
            assertThat(elapsed).as("2 MB at 5 MB/s").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
        }
    }
}
