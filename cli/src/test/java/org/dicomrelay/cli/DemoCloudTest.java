package org.dicomrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.dicomrelay.providers.emulators.AzuriteServer;
import org.dicomrelay.providers.emulators.NatsServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Issue 12 item 6: `./dicom-relay demo --cloud s3|nats|azure` runs the demo's scenario on a local emulator, or says clearly why not. */
@Timeout(240)
class DemoCloudTest {

    private record Run(int code, String out, String err) {}

    private static Run demo(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test void demoOnceOnS3RelaysThroughS3ProxyAndElasticMqAndLeavesTheBucketEmpty(@TempDir Path dir) throws Exception {
        Path demo = dir.resolve("demo");
        Run r = demo("demo", "--once", "--cloud", "s3", "--dir", demo.toString());
        assertThat(r.code()).as("%s%n%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("[7/7] verified").containsPattern("Cloud IO s3: sealed blobs in bucket 'dicom-relay' of S3Proxy at http://127\\.0\\.0\\.1:\\d+")
                .contains("ElasticMQ");
        assertThat(Files.readString(demo.resolve("router-a.yaml"))).contains("s3").contains("sqs.endpoint");
        // every blob consumed and deleted: the bucket's folder in S3Proxy's store holds no file, and nothing went to the Bridge's store
        assertThat(demo.resolve("s3/dicom-relay")).isDirectory();
        try (Stream<Path> files = Files.walk(demo.resolve("s3/dicom-relay"))) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
        assertThat(demo.resolve("bridge/blobs")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    }

    @Test void demoOnceOnNatsRelaysThroughNatsServer(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(NatsServer.binary().isPresent(), NatsServer.ABSENT);
        Path demo = dir.resolve("demo");
        Run r = demo("demo", "--once", "--cloud", "nats", "--dir", demo.toString());
        assertThat(r.code()).as("%s%n%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("[7/7] verified").containsPattern("Cloud IO nats: notifications on nats-server \\(JetStream\\) at nats://127\\.0\\.0\\.1:\\d+");
        assertThat(Files.readString(demo.resolve("router-b.yaml"))).contains("nats.url");
    }

    @Test void demoOnceOnAzureRelaysThroughAzurite(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(AzuriteServer.installed(), "Azurite is not installed (scripts/test installs it into target/azurite)");
        Path demo = dir.resolve("demo");
        Run r = demo("demo", "--once", "--cloud", "azure", "--dir", demo.toString());
        assertThat(r.code()).as("%s%n%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("[7/7] verified").containsPattern("Cloud IO azure: sealed blobs in container 'dicom-relay' of Azurite at http://127\\.0\\.0\\.1:\\d+");
        assertThat(Files.readString(demo.resolve("router-a.yaml"))).contains("azure").contains("queueEndpoint");
        assertThat(demo.resolve("bridge/blobs")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    }

    @Test void anUnknownProviderIsRefusedWithTheChoices(@TempDir Path dir) {
        Run r = demo("demo", "--once", "--cloud", "gcs", "--dir", dir.resolve("demo").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bridge, s3, nats, azure");
    }
}
