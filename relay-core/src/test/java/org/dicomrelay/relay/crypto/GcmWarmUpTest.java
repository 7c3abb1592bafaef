package org.dicomrelay.relay.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HotSpot behaviour pinned: the warm-up's calls are enough for C2 to compile AES-GCM with the CPU's
 * intrinsics (counter mode and GHASH), so an envelope's 1 MiB segments and TLS records do not run in
 * plain Java. Checked in a fresh JVM with synchronous compilation ({@code -Xbatch}): by the time
 * {@code run} returns, what it triggered is compiled, and {@code -XX:+PrintIntrinsics} says which
 * calls became intrinsics.
 */
class GcmWarmUpTest {

    /** The child JVM: the warm-up alone. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            GcmWarmUp.run(GcmWarmUp.CALLS);
        }
    }

    @Test
    void warmUpGetsGcmCompiledWithIntrinsics() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xbatch", "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintIntrinsics",
                "-cp", System.getProperty("java.class.path"), Child.class.getName())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.lines().filter(l -> l.contains("CounterMode::implCrypt") && l.contains("(intrinsic")))
                .as("AES counter mode compiled as an intrinsic").isNotEmpty();
        assertThat(out.lines().filter(l -> l.contains("GHASH::processBlocks") && l.contains("(intrinsic")))
                .as("GHASH compiled as an intrinsic").isNotEmpty();
    }
}
