package org.dicomrelay.cli;

import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bridge admin create|list|remove}: the Bridge console's accounts, in the Bridge's dataDir
 * (the one bridge.yaml names), created from the command line only (no default password) and
 * without the admin token (the environment here has none).
 */
class BridgeAdminAccountsTest {
    @TempDir Path work;

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

    @Test void accountsAreCreatedListedAndRemovedInTheBridgesDataFolder() throws Exception {
        Path yaml = work.resolve("bridge.yaml");
        Files.writeString(yaml, "bind: 127.0.0.1\ndataDir: state/bridge\nconsole: {bind: 127.0.0.1, port: 8471}\n");
        Path dataDir = work.resolve("state/bridge");
        String config = yaml.toString();

        assertThat(run("", "bridge", "admin", "list", "--config", config).out()).contains("no account yet: create the first admin with 'bridge admin create'");
        Run tooShort = run("short\n", "bridge", "admin", "create", "--config", config, "--user", "alice");
        assertThat(tooShort.exitCode()).isEqualTo(1);
        assertThat(tooShort.out()).contains("account not created: the password must have at least " + Accounts.MIN_PASSWORD + " characters");

        Run ok = run("alice-password\n", "bridge", "admin", "create", "--config", config, "--user", "alice");
        assertThat(ok.exitCode()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("console account alice (admin) created in " + dataDir.resolve(Accounts.FILE));
        assertThat(run("viewer-password\n", "bridge", "admin", "create", "--config", config, "--user", "victor", "--role", "viewer").exitCode()).isZero();
        assertThat(Files.getPosixFilePermissions(dataDir.resolve(Accounts.FILE))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Accounts.in(dataDir).authenticate("alice", "alice-password".toCharArray())).hasValueSatisfying(a -> assertThat(a.role()).isEqualTo(Role.ADMIN));
        assertThat(run("", "bridge", "admin", "list", "--config", config).out()).contains("alice  admin").contains("victor  viewer");

        assertThat(run("", "bridge", "admin", "remove", "--config", config, "--user", "victor").exitCode()).isZero();
        assertThat(run("", "bridge", "admin", "remove", "--config", config, "--user", "victor").out()).contains("no console account victor");
        assertThat(Accounts.in(dataDir).list()).extracting(a -> a.user()).containsExactly("alice");
    }
}
