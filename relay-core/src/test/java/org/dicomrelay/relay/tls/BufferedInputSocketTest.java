package org.dicomrelay.relay.tls;

import org.junit.jupiter.api.Test;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The JDK's TLS socket reads a record's 5-byte header, then its body: over a {@link BufferedInputSocket}
 * one system call takes both (for {@code HttpsURLConnection}, which layers TLS on the sockets it connects).
 */
class BufferedInputSocketTest {

    /** A connected socket that counts the reads of its input. */
    private static final class CountingSocket extends Socket {
        final AtomicInteger reads = new AtomicInteger();

        @Override public InputStream getInputStream() throws IOException {
            return new FilterInputStream(super.getInputStream()) {
                @Override public int read(byte[] b, int off, int len) throws IOException {
                    reads.incrementAndGet();
                    return super.read(b, off, len);
                }
            };
        }
    }

    @Test void aRecordsHeaderReadTakesItsBodyAlong() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); CountingSocket raw = new CountingSocket()) {
            raw.connect(server.getLocalSocketAddress());
            try (Socket peer = server.accept()) {
                byte[] record = new byte[5 + 16384];
                record[0] = 23; // application data
                peer.getOutputStream().write(record);
                await().until(() -> raw.getInputStream().available() == record.length);

                Socket buffered = new BufferedInputSocket(raw);
                byte[] header = buffered.getInputStream().readNBytes(5);
                byte[] body = buffered.getInputStream().readNBytes(16384);

                assertThat(header[0]).isEqualTo((byte) 23);
                assertThat(body).hasSize(16384);
                assertThat(raw.reads).as("reads of the socket for header and body").hasValue(1);
            }
        }
    }

    @Test void optionsAndClosingAreTheSockets() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); Socket raw = new Socket()) {
            raw.connect(server.getLocalSocketAddress());
            try (Socket peer = server.accept()) {
                Socket buffered = new BufferedInputSocket(raw);
                buffered.setSoTimeout(1234);
                buffered.setTcpNoDelay(true);
                assertThat(raw.getSoTimeout()).isEqualTo(1234);
                assertThat(raw.getTcpNoDelay()).isTrue();
                assertThat(buffered.getChannel()).as("no channel around the buffer").isNull();

                buffered.close(); // a TLS socket layered with autoClose closes it: BridgeClient.close() cuts a read so

                assertThat(raw.isClosed()).isTrue();
            }
        }
    }

    @Test void theFactoryMakesNoUnconnectedSocketsSoThatHttpsUrlConnectionLayersTls() throws Exception {
        ProtocolSocketFactory factory = new ProtocolSocketFactory(javax.net.ssl.SSLContext.getDefault().getSocketFactory(),
                BridgeHttp.PROTOCOLS, s -> {});
        assertThatThrownBy(factory::createSocket).isInstanceOf(SocketException.class).hasCauseInstanceOf(UnsupportedOperationException.class);
    }
}
