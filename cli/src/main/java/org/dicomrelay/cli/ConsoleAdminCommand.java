package org.dicomrelay.cli;

import org.dicomrelay.console.Account;
import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.Role;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.router.config.RouterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * The router console's accounts, on the router's host (whoever may read its state folder may
 * manage them): the first admin is created here, never by default. A running console sees a new
 * account at its next sign-in.
 */
@Command(name = "admin", description = "Manage the router console's accounts.",
        subcommands = {ConsoleAdminCommand.Create.class, ConsoleAdminCommand.ListAccounts.class, ConsoleAdminCommand.Remove.class})
final class ConsoleAdminCommand {
    @Command(name = "create", description = "Create a console account; the password is read from the terminal or standard input.")
    static final class Create implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;
        @Option(names = "--user", required = true, paramLabel = "NAME") String user;
        @Option(names = "--role", defaultValue = "admin", paramLabel = "admin|viewer", description = "admin (changes) or viewer (reads); default admin")
        String role;

        @Override public Integer call() {
            char[] password = null;
            try {
                Role r = Role.parse(role);
                Accounts accounts = Accounts.in(RouterConfig.load(config).state());
                password = PasswordInput.read("password for " + user, true);
                Account a = accounts.create(user, r, password);
                spec.commandLine().getOut().println("console account " + a.user() + " (" + a.role().text() + ") created in " + accounts.file());
                return 0;
            } catch (Exception e) {
                spec.commandLine().getErr().println("account not created: " + FailureText.of(e));
                return 1;
            } finally {
                if (password != null) Arrays.fill(password, '\0');
            }
        }
    }

    @Command(name = "list", description = "The console's accounts and their roles.")
    static final class ListAccounts implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;

        @Override public Integer call() throws Exception {
            Accounts accounts = Accounts.in(RouterConfig.load(config).state());
            if (accounts.isEmpty()) spec.commandLine().getOut().println("no account yet: create the first admin with 'router admin create'");
            for (Account a : accounts.list()) spec.commandLine().getOut().println(a.user() + "  " + a.role().text());
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a console account.")
    static final class Remove implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;
        @Option(names = "--user", required = true, paramLabel = "NAME") String user;

        @Override public Integer call() throws Exception {
            boolean removed = Accounts.in(RouterConfig.load(config).state()).remove(user);
            spec.commandLine().getOut().println(removed ? "console account " + user + " removed" : "no console account " + user);
            return removed ? 0 : 1;
        }
    }
}
