package org.dicomrelay.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's main command: `./dicom-relay demo --once` runs the whole network and exits 0 only if every step succeeded. */
@Timeout(180)
class DemoCommandTest {

    @Test void demoOnceRunsEveryStepAndExitsZero(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int code = cl.execute("demo", "--once", "--dir", dir.resolve("demo").toString());
        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("[7/7] verified").contains("echoscu").contains("movescu").contains("getscu");
        for (String f : new String[] {"bridge.yaml", "router-a.yaml", "router-b.yaml"}) assertThat(dir.resolve("demo").resolve(f)).exists();
    }

    @Test void aSecondDemoInTheSameFolderIsRefusedWithAClearMessage(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("demo/bridge"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        assertThat(cl.execute("demo", "--once", "--dir", dir.resolve("demo").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("earlier demo");
    }
}
