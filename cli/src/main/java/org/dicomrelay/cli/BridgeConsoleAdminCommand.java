package org.dicomrelay.cli;

import org.dicomrelay.bridge.BridgeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The Bridge console's accounts ({@code bridge admin create|list|remove}), in the Bridge's data
 * folder; no admin token needed: access to that folder is the authority.
 */
@Command(name = "admin", description = "Manage the Bridge console's accounts.",
        subcommands = {BridgeConsoleAdminCommand.Create.class, BridgeConsoleAdminCommand.ListAccounts.class, BridgeConsoleAdminCommand.Remove.class})
final class BridgeConsoleAdminCommand {
    @Command(name = "create", description = "Create a console account; the password is read from the terminal or standard input.")
    static final class Create extends ConsoleAccountCommands.Create {
        @Option(names = "--config", required = true, paramLabel = "bridge.yaml") Path config;

        @Override public Path state() throws IOException { return BridgeConfig.dataDirOf(config); }

        @Override public String createCommand() { return "bridge admin create"; }
    }

    @Command(name = "list", description = "The console's accounts and their roles.")
    static final class ListAccounts extends ConsoleAccountCommands.ListAccounts {
        @Option(names = "--config", required = true, paramLabel = "bridge.yaml") Path config;

        @Override public Path state() throws IOException { return BridgeConfig.dataDirOf(config); }

        @Override public String createCommand() { return "bridge admin create"; }
    }

    @Command(name = "remove", description = "Remove a console account.")
    static final class Remove extends ConsoleAccountCommands.Remove {
        @Option(names = "--config", required = true, paramLabel = "bridge.yaml") Path config;

        @Override public Path state() throws IOException { return BridgeConfig.dataDirOf(config); }

        @Override public String createCommand() { return "bridge admin create"; }
    }
}
