package org.dicomrelay.cli;

import org.dicomrelay.dicom.Implementation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The {@code dicom-relay} command; the work is done by its subcommands. */
@Command(name = "dicom-relay", mixinStandardHelpOptions = true, version = "dicom-relay " + Implementation.VERSION_NAME,
        description = "A DICOM router and the tools around it.",
        subcommands = {DemoCommand.class, BridgeCommand.class, RouterCommand.class, EnrollCommand.class, SpoolCommand.class, DevicesCommand.class, DumpCommand.class, EchoCommand.class, StoreCommand.class, FindCommand.class, MoveCommand.class,
                GetCommand.class, ArchiveCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** The command line, ready to execute; tests set their own out and err on it. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        // JSON is UTF-8 (RFC 8259 §8.1) and decoded DICOM text can be any script: never the platform default.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        cl.setOut(out).setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
