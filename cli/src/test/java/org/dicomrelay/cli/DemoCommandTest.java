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

    @Test void demoOnceRunsEveryStepAndExitsZeroAndRunsAgainAfresh(@TempDir Path dir) throws Exception {
        Path demo = dir.resolve("demo");
        for (int run = 1; run <= 2; run++) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            int code = cl.execute("demo", "--once", "--dir", demo.toString());
            assertThat(code).as("run %d:%n%s%n%s", run, out, err).isZero();
            assertThat(out.toString()).contains("[7/7] verified").contains("echoscu").contains("movescu").contains("getscu");
            // both routers' consoles, and how to get an account (there is no default password)
            assertThat(out.toString()).containsPattern("hospital-a: http://127\\.0\\.0\\.1:\\d+/  after  \\./dicom-relay router admin create --config \\S+router-a\\.yaml --user admin")
                    .containsPattern("hospital-b: http://127\\.0\\.0\\.1:\\d+/  after  \\./dicom-relay router admin create --config \\S+router-b\\.yaml --user admin");
            // and the Bridge's console (issue 11: both console URLs and how to sign in), over HTTPS like the Bridge
            assertThat(out.toString()).containsPattern("Bridge \\(routers, enrollment tokens, access matrix, network map\\): https://127\\.0\\.0\\.1:\\d+/"
                    + "  after  \\./dicom-relay bridge admin create --config \\S+bridge\\.yaml --user admin");
            // the Bridge serves HTTPS and the routers enrolled with its fingerprint (issue 9: TLS everywhere)
            assertThat(out.toString()).containsPattern("Bridge listening on https://127\\.0\\.0\\.1:\\d+ .*fingerprint.*: ([0-9A-F]{2}:){31}[0-9A-F]{2}");
            if (run == 2) assertThat(out.toString()).contains("starting afresh; removed the earlier demo in " + demo);
            else assertThat(out.toString()).doesNotContain("starting afresh");
            for (String f : new String[] {"bridge.yaml", "router-a.yaml", "router-b.yaml"}) assertThat(demo.resolve(f)).exists();
            // Issue 9: the networked default store, no shared folder; the routers' configuration names no provider.
            assertThat(demo.resolve("cloud")).doesNotExist();
            assertThat(java.nio.file.Files.readString(demo.resolve("router-a.yaml"))).doesNotContain("filesystem");
            assertThat(demo.resolve("bridge/blobs")).isDirectory();
        }
    }

    @Test void aFolderThatHoldsSomethingElseIsNeverCleared(@TempDir Path dir) throws Exception {
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "not a demo");
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        assertThat(cl.execute("demo", "--once", "--dir", mine.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("holds no earlier demo");
        assertThat(mine.resolve("notes.txt")).hasContent("not a demo");
    }

    @Test void aDemoStillRunningInTheFolderIsLeftAlone(@TempDir Path dir) throws Exception {
        Path demo = dir.resolve("demo");
        try (DemoFolder running = DemoFolder.claim(demo)) {
            assertThat(running).isNotNull();
            Files.writeString(demo.resolve("bridge.yaml"), "port: 1\n");
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            assertThat(cl.execute("demo", "--once", "--dir", demo.toString())).isEqualTo(2);
            assertThat(err.toString()).contains("another demo is running in " + demo);
            assertThat(demo.resolve("bridge.yaml")).exists();
        }
    }
}
