package org.dicomrelay.relay.tls;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Bridge's HTTP clients read their socket in 256 KiB buffers, not the JDK's 16 KiB (the CPU per
 * byte of a blob download), unless the JVM was started with {@code -Djdk.httpclient.bufsize}.
 */
class BridgeHttpReadBufferTest {
    @Test
    void aBridgeClientSetsTheJdkReadBufferBeforeTheFirstHttpClient() throws Exception {
        BridgeHttp.newClient(URI.create("http://127.0.0.1:1"), null, null, Duration.ofSeconds(1));
        String given = System.getProperty("jdk.httpclient.bufsize");
        assertThat(given).isEqualTo(String.valueOf(BridgeHttp.HTTP_READ_BUFFER));
    }
}
