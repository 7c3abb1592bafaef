package org.dicomrelay.cli;

import org.dicomrelay.console.Accounts;
import org.dicomrelay.router.Router;
import org.dicomrelay.router.config.ConsoleListener;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.console.BridgeStatus;
import org.dicomrelay.router.console.RouterConsole;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.router.link.UploadJournal;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's commands: {@code router admin create} (the first admin, from the command line,
 * password from standard input, never a default) and {@code devices list|add|remove|echo} against
 * a running router's console API, the same implementation as the page (C-ECHO against storescp).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ConsoleCommandsTest {
    private Path work, yaml;
    private Router router;
    private RouterConsole console;

    private record Run(int exitCode, String out) {}

    private static synchronized Run run(String stdin, String... args) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            StringWriter out = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(out, true));
            return new Run(cl.execute(args), out.toString());
        } finally {
            System.setIn(before);
        }
    }

    /** Routers are not reached in these tests: the relay is not used. */
    private static Courier unreachable() {
        return new Courier() {
            @Override public void send(String to, LinkMessage m, PayloadWriter p) throws IOException { throw new IOException("no relay in this test"); }
            @Override public void start(Listener l) {}
            @Override public void recordUploadsIn(UploadJournal j) {}
            @Override public void abandon(String to, String op) {}
            @Override public void close() {}
        };
    }

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("console-commands");
        yaml = work.resolve("router.yaml");
        new RouterConfig("hospital-a", work.resolve("state").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false))).save(yaml);
        RouterConfig config = RouterConfig.load(yaml);
        // one remote AE, owned by a router this one cannot reach
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_REMOTE", "hospital-b", java.util.Set.of("echo"))));
        router = Router.start(config, unreachable(), routes);
        console = RouterConsole.start(new ConsoleListener("127.0.0.1", 0), config, yaml, router, routes,
                () -> BridgeStatus.of("http://127.0.0.1:1", false, null, null, "none"));
    }

    @AfterAll void stop() throws Exception {
        console.close();
        router.close();
    }

    @Test void theFirstAdminIsCreatedFromTheCommandLineWithThePasswordFromStandardInput() throws Exception {
        Path state = work.resolve("state");
        assertThat(run("", "router", "admin", "list", "--config", yaml.toString()).out()).satisfiesAnyOf(
                o -> assertThat(o).contains("no account yet"), o -> assertThat(o).doesNotContain("first-admin"));
        Run tooShort = run("short\n", "router", "admin", "create", "--config", yaml.toString(), "--user", "first-admin");
        assertThat(tooShort.exitCode()).isEqualTo(1);
        assertThat(tooShort.out()).contains("at least " + Accounts.MIN_PASSWORD + " characters");

        Run ok = run("first-admin-password\n", "router", "admin", "create", "--config", yaml.toString(), "--user", "first-admin");
        assertThat(ok.exitCode()).as(ok.out()).isZero();
        Path file = state.resolve(Accounts.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("\"first-admin\"", "$argon2id$").doesNotContain("first-admin-password");
        assertThat(run("", "router", "admin", "list", "--config", yaml.toString()).out()).contains("first-admin  admin");
        assertThat(run("another-password\n", "router", "admin", "create", "--config", yaml.toString(), "--user", "first-admin").out())
                .contains("exists already");
    }

    @Test void devicesAreAddedListedEchoedAndRemovedThroughTheRunningRoutersConsole() throws Exception {
        Accounts.in(work.resolve("state")).create("ops", org.dicomrelay.console.Role.ADMIN, "ops-password-1".toCharArray());
        String url = console.url().toString();
        int port = Peers.freePort();
        try (Peers.Server storescp = Peers.startServer(List.of("storescp", "-aet", "ECHO_SCP", String.valueOf(port)), port, null, Map.of())) {
            Run add = run("ops-password-1\n", "devices", "add", "ECHO_SCP", "--host", "127.0.0.1", "--port", String.valueOf(port),
                    "--services", "echo,store", "--url", url, "--user", "ops");
            assertThat(add.exitCode()).as(add.out()).isZero();
            assertThat(router.devices().find("ECHO_SCP")).isPresent();
            assertThat(RouterConfig.load(yaml).device("ECHO_SCP")).isPresent();

            Run list = run("ops-password-1\n", "devices", "list", "--url", url, "--user", "ops");
            assertThat(list.out()).contains("ECHO_SCP", "MODALITY");

            Run echo = run("ops-password-1\n", "devices", "echo", "ECHO_SCP", "--url", url, "--user", "ops");
            assertThat(echo.exitCode()).as(echo.out()).isZero();
            assertThat(echo.out()).containsPattern("C-ECHO ECHO_SCP: success \\(\\d+ ms\\)");
            assertThat(storescp.isAlive()).isTrue();
        }
        // A remote AE: the same command echoes it through the relay, and says why not when the relay cannot reach its router.
        Run remote = run("ops-password-1\n", "devices", "echo", "PACS_REMOTE", "--url", url, "--user", "ops");
        assertThat(remote.exitCode()).as(remote.out()).isEqualTo(1);
        assertThat(remote.out()).contains("C-ECHO PACS_REMOTE via router hospital-b failed: ", "no relay in this test");
        Run unknown = run("ops-password-1\n", "devices", "echo", "NOBODY", "--url", url, "--user", "ops");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.out()).contains("no device or remote AE NOBODY");
        Run bad = run("ops-password-1\n", "devices", "add", "BAD\\AE", "--host", "127.0.0.1", "--port", "104", "--url", url, "--user", "ops");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.out()).contains("aeTitle: an AE title cannot contain a backslash");

        Run edit = run("ops-password-1\n", "devices", "edit", "ECHO_SCP", "--port", "11119", "--exported", "true", "--url", url, "--user", "ops");
        assertThat(edit.exitCode()).as(edit.out()).isZero();
        assertThat(router.devices().find("ECHO_SCP").orElseThrow().port()).isEqualTo(11119);
        assertThat(RouterConfig.load(yaml).device("ECHO_SCP").orElseThrow()).satisfies(d -> {
            assertThat(d.port()).isEqualTo(11119);
            assertThat(d.exported()).isTrue();
            assertThat(d.services()).as("what was not given stays").containsExactly("echo", "store");
        });
        Run badEdit = run("ops-password-1\n", "devices", "edit", "ECHO_SCP", "--host", "bad host!", "--url", url, "--user", "ops");
        assertThat(badEdit.exitCode()).isEqualTo(1);
        assertThat(badEdit.out()).contains("device not changed: host");
        assertThat(router.devices().find("ECHO_SCP").orElseThrow().host()).isEqualTo("127.0.0.1");

        Run wrong = run("not-the-password\n", "devices", "list", "--url", url, "--user", "ops");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.out()).contains("wrong user name or password");

        Run remove = run("ops-password-1\n", "devices", "remove", "ECHO_SCP", "--url", url, "--user", "ops");
        assertThat(remove.exitCode()).as(remove.out()).isZero();
        assertThat(router.devices().find("ECHO_SCP")).isEmpty();
        assertThat(RouterConfig.load(yaml).device("ECHO_SCP")).isEmpty();
        assertThat(Files.readString(work.resolve("state").resolve(org.dicomrelay.console.AuditLog.FILE)))
                .contains("user=ops action=device.add target=ECHO_SCP", "user=ops action=device.edit target=ECHO_SCP", "user=ops action=device.remove target=ECHO_SCP");
    }
}
