package org.dicomrelay.cli;

import org.dicomrelay.router.config.RouterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** The router console's accounts ({@code router admin create|list|remove}), in the router's state folder. */
@Command(name = "admin", description = "Manage the router console's accounts.",
        subcommands = {ConsoleAdminCommand.Create.class, ConsoleAdminCommand.ListAccounts.class, ConsoleAdminCommand.Remove.class})
final class ConsoleAdminCommand {
    @Command(name = "create", description = "Create a console account; the password is read from the terminal or standard input.")
    static final class Create extends ConsoleAccountCommands.Create {
        @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;

        @Override public Path state() throws IOException { return RouterConfig.load(config).state(); }

        @Override public String createCommand() { return "router admin create"; }
    }

    @Command(name = "list", description = "The console's accounts and their roles.")
    static final class ListAccounts extends ConsoleAccountCommands.ListAccounts {
        @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;

        @Override public Path state() throws IOException { return RouterConfig.load(config).state(); }

        @Override public String createCommand() { return "router admin create"; }
    }

    @Command(name = "remove", description = "Remove a console account.")
    static final class Remove extends ConsoleAccountCommands.Remove {
        @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;

        @Override public Path state() throws IOException { return RouterConfig.load(config).state(); }

        @Override public String createCommand() { return "router admin create"; }
    }
}
