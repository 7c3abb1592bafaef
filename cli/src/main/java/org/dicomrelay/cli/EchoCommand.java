package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.service.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.util.concurrent.Callable;

/** C-ECHO, like echoscu. */
@Command(name = "echo", description = "Verify a DICOM peer with C-ECHO.")
public final class EchoCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ConnectionOptions conn;

    @Override public Integer call() {
        long t0 = System.nanoTime();
        try {
            int status = Verification.echo(conn.peer.host(), conn.peer.port(), conn.peer.aeTitle(), conn.callingAe, conn.options());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (status == 0) {
                spec.commandLine().getOut().println("C-ECHO " + conn.peer + ": success (" + ms + " ms)");
                return 0;
            }
            spec.commandLine().getErr().println("C-ECHO " + conn.peer + String.format(": status %04XH", status));
            return 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("C-ECHO " + conn.peer + " failed: " + e.getMessage());
            return 2;
        }
    }
}
