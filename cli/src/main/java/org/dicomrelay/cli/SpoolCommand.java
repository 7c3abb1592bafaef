package org.dicomrelay.cli;

import org.dicomrelay.router.Spool;
import org.dicomrelay.router.config.RouterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What a router still has to deliver: every object in its store-and-forward spool, pending
 * (retried with back-off) or failed (the remote PACS refused it), with the last error.
 */
@Command(name = "spool", description = "List a router's undelivered objects (pending and failed).")
public final class SpoolCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;

    @Option(names = "--remove-failed", description = "delete the failed entries (after an operator has dealt with them)")
    boolean removeFailed;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RouterConfig c = RouterConfig.load(config);
        Spool spool = Spool.of(c.state());
        List<Spool.Entry> entries = spool.entries();
        out.printf("%-8s %8s %-16s %-16s %12s  %s%n", "state", "attempts", "to AE", "from AE", "bytes", "last error");
        int failed = 0;
        for (Spool.Entry e : entries) {
            out.printf("%-8s %8d %-16s %-16s %12d  %s%n", e.state(), e.attempts(), e.calledAe(), e.callingAe(), e.bytes(),
                    e.lastError() == null ? "" : e.lastError());
            if (e.state().equals("failed")) {
                failed++;
                if (removeFailed) spool.remove(e.id());
            }
        }
        out.println(entries.size() + " undelivered, " + failed + " failed" + (removeFailed && failed > 0 ? " (removed)" : ""));
        return failed == 0 ? 0 : 1;
    }
}
