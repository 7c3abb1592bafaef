package org.dicomrelay.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The dicom-relay command: one subcommand per tool. */
@Command(name = "dicom-relay", mixinStandardHelpOptions = true, version = "dicom-relay 0.1.0",
        description = "DICOM relay and toolkit.",
        subcommands = {EchoCommand.class, StoreCommand.class, FindCommand.class, MoveCommand.class, GetCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
