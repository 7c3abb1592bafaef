package org.dicomrelay.cli;

import org.dicomrelay.console.Account;
import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.Role;
import org.dicomrelay.dicom.net.FailureText;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * A web console's accounts, managed on its host (whoever may read the state folder may manage
 * them): the first admin is created here, never by default. A running console sees a new account
 * at its next sign-in. The router's ({@code router admin}) and the Bridge's ({@code bridge admin})
 * differ only in where the accounts live.
 */
final class ConsoleAccountCommands {
    private ConsoleAccountCommands() {}

    /** The folder of the accounts file, from the product's configuration. */
    interface StateFolder {
        Path state() throws IOException;

        /** The command that creates an account, as a hint ("router admin create"). */
        String createCommand();
    }

    abstract static class Create implements Callable<Integer>, StateFolder {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--user", required = true, paramLabel = "NAME") String user;
        @Option(names = "--role", defaultValue = "admin", paramLabel = "admin|viewer", description = "admin (changes) or viewer (reads); default admin")
        String role;

        @Override public Integer call() {
            char[] password = null;
            try {
                Role r = Role.parse(role);
                Accounts accounts = Accounts.in(state());
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

    abstract static class ListAccounts implements Callable<Integer>, StateFolder {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

        @Override public Integer call() throws Exception {
            Accounts accounts = Accounts.in(state());
            if (accounts.isEmpty()) spec.commandLine().getOut().println("no account yet: create the first admin with '" + createCommand() + "'");
            for (Account a : accounts.list()) spec.commandLine().getOut().println(a.user() + "  " + a.role().text());
            return 0;
        }
    }

    abstract static class Remove implements Callable<Integer>, StateFolder {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--user", required = true, paramLabel = "NAME") String user;

        @Override public Integer call() throws Exception {
            boolean removed = Accounts.in(state()).remove(user);
            spec.commandLine().getOut().println(removed ? "console account " + user + " removed" : "no console account " + user);
            return removed ? 0 : 1;
        }
    }
}
