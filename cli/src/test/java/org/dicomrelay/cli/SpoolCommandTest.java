package org.dicomrelay.cli;

import org.dicomrelay.router.Spool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Failed deliveries are never silent: the operator sees them, with the remote status, until removed. */
class SpoolCommandTest {

    @Test void failedAndPendingDeliveriesAreListedAndFailedOnesMakeTheExitCodeNonZero(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("router.yaml");
        Files.writeString(yaml, "routerId: hospital-a\nstateDir: " + dir.resolve("state") + "\naeTitle: ROUTER_A\nport: 11112\n");
        Spool spool = Spool.of(dir.resolve("state"));
        Path data = dir.resolve("state/spool");
        for (String[] e : new String[][] {{"11111111-1111-1111-1111-111111111111", "failed", "remote store status A900H"},
                {"22222222-2222-2222-2222-222222222222", "pending", "no answer from router hospital-b within 60 s"}}) {
            Files.write(data.resolve(e[0] + ".dcm"), new byte[10]);
            spool.write(new Spool.Entry(e[0], "PACS_B", "CT1", "1.2.840.10008.5.1.4.1.1.2", "1.2.3", "1.2.840.10008.1.2.1", 10, 3, e[1], e[2]));
        }
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("spool", "--config", yaml.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("failed").contains("A900H").contains("pending").contains("2 undelivered, 1 failed");
        assertThat(Main.commandLine().execute("spool", "--config", yaml.toString(), "--remove-failed")).isEqualTo(1);
        assertThat(Spool.of(dir.resolve("state")).entries()).hasSize(1).allMatch(e -> e.state().equals("pending"));
    }
}
