package org.dicomrelay.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** One in-process run of the command line, with what it printed. */
record DumpRun(int exitCode, String out, String err) {

    static DumpRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new DumpRun(code, out.toString(), err.toString());
    }

    List<String> lines() { return out.lines().toList(); }
}
