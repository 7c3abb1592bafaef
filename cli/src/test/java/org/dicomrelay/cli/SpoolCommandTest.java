package org.dicomrelay.cli;

import org.dicomrelay.router.Router;
import org.dicomrelay.router.Spool;
import org.dicomrelay.router.SpoolEntry;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Undelivered objects are never silent and never need a hand-edited file: the operator sees each
 * per destination with its SOP Instance and study UIDs, state and last status, and resubmits or
 * discards them (recorded), with or without the router running.
 */
@Timeout(60)
class SpoolCommandTest {
    private static final String DEAD = "11111111-1111-1111-1111-111111111111", PENDING = "22222222-2222-2222-2222-222222222222";

    private record Run(int exitCode, String out) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return new Run(cl.execute(args), out.toString());
    }

    private static Path routerYaml(Path dir) throws IOException {
        Path yaml = dir.resolve("router.yaml");
        Files.writeString(yaml, "routerId: hospital-a\nstateDir: " + dir.resolve("state") + "\naeTitle: ROUTER_A\nbind: 127.0.0.1\nport: 0\n"
                + "devices:\n  - aeTitle: MODALITY\n    host: 127.0.0.1\n    port: 1\n");
        return yaml;
    }

    /** A dead letter as written before dead letters existed ("failed", lastError), and a pending entry. */
    private static void twoEntries(Path dir) throws IOException {
        Path spool = Files.createDirectories(dir.resolve("state/spool"));
        Files.write(spool.resolve(DEAD + ".dcm"), new byte[10]);
        Files.writeString(spool.resolve(DEAD + ".json"), "{\"id\":\"" + DEAD + "\",\"calledAe\":\"PACS_B\",\"callingAe\":\"CT1\","
                + "\"sopClassUid\":\"1.2.840.10008.5.1.4.1.1.2\",\"sopInstanceUid\":\"1.2.3.1\",\"transferSyntaxUid\":\"1.2.840.10008.1.2.1\","
                + "\"bytes\":10,\"attempts\":1,\"state\":\"failed\",\"lastError\":\"remote store status A900H\"}");
        Files.write(spool.resolve(PENDING + ".dcm"), new byte[10]);
        Spool.of(dir.resolve("state")).write(new SpoolEntry(PENDING, "PACS_C", "CT1", "1.2.840.10008.5.1.4.1.1.2", "1.2.3.2", "1.2.3", "1.2.840.10008.1.2.1",
                10, 3, SpoolEntry.State.PENDING, null, "no answer from router hospital-b within 60 s", Instant.now().minusSeconds(7200), null));
    }

    @Test void entriesAreListedPerDestinationWithUidsStateAndLastStatusAndADeadLetterMakesTheExitCodeNonZero(@TempDir Path dir) throws Exception {
        Path yaml = routerYaml(dir);
        twoEntries(dir);
        Run r = run("spool", "--config", yaml.toString());
        assertThat(r.exitCode()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("PACS_B: 0 pending, 1 dead-letter").contains("PACS_C: 1 pending, 0 dead-letter")
                .contains(DEAD).contains("dead-letter").contains("1.2.3.1").contains("remote store status A900H")
                .contains(PENDING).contains("1.2.3.2").contains("study 1.2.3;").contains("2h00m")
                .contains("2 undelivered: 1 pending, 1 dead-letter");
        assertThat(run("spool", "list", "--config", yaml.toString()).out()).as("list is the default").contains("PACS_B: 0 pending, 1 dead-letter");
    }

    @Test void anObjectForwardedWhileItsModalityWaitsIsListedAsRemoteAckNotAsPending(@TempDir Path dir) throws Exception {
        Path yaml = routerYaml(dir);
        Path spool = Files.createDirectories(dir.resolve("state/spool"));
        Files.write(spool.resolve(PENDING + ".dcm"), new byte[10]);
        Spool.of(dir.resolve("state")).write(new SpoolEntry(PENDING, "PACS_C", "CT1", "1.2.840.10008.5.1.4.1.1.2", "1.2.3.2", "1.2.3", "1.2.840.10008.1.2.1",
                10, 0, SpoolEntry.State.REMOTE_ACK, null, null, Instant.now(), null));
        Run r = run("spool", "--config", yaml.toString());
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).contains("PACS_C: 0 pending, 0 dead-letter, 1 remote-ack").contains("remote-ack ");
        assertThat(run("spool", "retry", "--config", yaml.toString(), "--all").out()).as("the modality owns its retry")
                .contains("retrying 0 pending entries");
    }

    @Test void withNoRouterRunningResubmitAndDiscardChangeTheRecordsAndADiscardIsRecorded(@TempDir Path dir) throws Exception {
        Path yaml = routerYaml(dir);
        twoEntries(dir);
        Run r = run("spool", "resubmit", "--config", yaml.toString(), "--destination", "PACS_B");
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).contains("resubmitted 1 dead-lettered entry");
        assertThat(Spool.of(dir.resolve("state")).entries()).allMatch(e -> e.state() == SpoolEntry.State.PENDING)
                .filteredOn(e -> e.id().equals(DEAD)).singleElement().satisfies(e -> assertThat(e.attempts()).isZero());

        r = run("spool", "retry", "--config", yaml.toString(), "--all");
        assertThat(r.out()).contains("no router is running: 2 pending entries are tried as soon as it starts");

        r = run("spool", "discard", "--config", yaml.toString(), "--study", "1.2.3", "--by", "dr-ops");
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).contains("discarded 1 entry");
        assertThat(dir.resolve("state/spool/" + PENDING + ".dcm")).doesNotExist();
        assertThat(Files.readString(dir.resolve("state/spool/discarded.log"))).contains("id=" + PENDING).contains("sopInstanceUid=1.2.3.2")
                .contains("studyInstanceUid=1.2.3").contains("destination=PACS_C").contains("by=dr-ops");

        assertThat(run("spool", "discard", "--config", yaml.toString(), "--id", "no-such-entry").exitCode()).isEqualTo(1);
        assertThat(run("spool", "discard", "--config", yaml.toString()).exitCode()).as("a selection is required").isEqualTo(2);
        assertThat(run("spool", "--config", yaml.toString(), "--remove-failed").exitCode()).as("removed: it deleted acknowledged data").isEqualTo(2);
    }

    @Test void aRunningRouterAppliesAResubmitWithoutARestart(@TempDir Path dir) throws Exception {
        Path yaml = routerYaml(dir);
        twoEntries(dir);
        List<String> sent = new CopyOnWriteArrayList<>();
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store")),
                new RoutingTable.Route("PACS_C", "hospital-c", Set.of("store"))));
        RouterConfig c = RouterConfig.load(yaml);
        try (Router router = Router.start(c, new AnsweringCourier(sent), routes)) {
            // the pending entry resumes at start; the dead letter waits for the operator
            await().atMost(Duration.ofSeconds(20)).until(() -> sent.contains("1.2.3.2"));
            assertThat(sent).doesNotContain("1.2.3.1");
            Run r = run("spool", "resubmit", "--config", yaml.toString(), "--id", DEAD);
            assertThat(r.exitCode()).as(r.out()).isZero();
            assertThat(r.out()).contains("resubmitted 1 dead-lettered entry");
            await().atMost(Duration.ofSeconds(20)).until(() -> sent.contains("1.2.3.1") && Spool.of(dir.resolve("state")).entries().isEmpty());
            assertThat(run("spool", "--config", yaml.toString()).out()).contains("the spool is empty");
        }
    }

    /** Router B as seen from A: every C-STORE it receives succeeds. */
    private static final class AnsweringCourier implements Courier {
        private final List<String> sent;
        private volatile Listener listener;

        AnsweringCourier(List<String> sent) {
            this.sent = sent;
        }

        @Override public void send(String to, LinkMessage message, PayloadWriter payload) throws IOException {
            if (payload != null) payload.writeTo(new ByteArrayOutputStream());
            if (!(message instanceof LinkMessage.StoreRq rq)) return;
            sent.add(rq.sopInstanceUid());
            LinkMessage.StoreRsp rsp = new LinkMessage.StoreRsp(rq.operationId(), 0, null, null);
            Thread t = new Thread(() -> {
                try {
                    listener.onMessage(to, rsp, null);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            t.start();
        }

        @Override public void start(Listener l) {
            listener = l;
        }

        @Override public void recordUploadsIn(org.dicomrelay.router.link.UploadJournal journal) {}

        @Override public void abandon(String to, String operationId) {}

        @Override public void close() {}
    }

    @Test void agesAreShortAndReadable() {
        assertThat(SpoolCommand.age(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(SpoolCommand.age(Duration.ofMinutes(75))).isEqualTo("1h15m");
        assertThat(SpoolCommand.age(Duration.ofHours(50))).isEqualTo("2d02h");
    }
}
