package org.dicomrelay.cli;

import org.dicomrelay.router.Spool;
import org.dicomrelay.router.SpoolAnswer;
import org.dicomrelay.router.SpoolControl;
import org.dicomrelay.router.SpoolEntry;
import org.dicomrelay.router.SpoolRequest;
import org.dicomrelay.router.config.RouterConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * A router's store-and-forward spool for operators: what it has not delivered yet (pending,
 * retried with back-off) or set aside (dead-letter, with the remote status and its meaning), per
 * destination; and {@code retry}, {@code resubmit}, {@code discard} for one entry, a study, a
 * destination or all. Changes reach a running router within about a second (no restart).
 */
@Command(name = "spool", description = "List a router's undelivered objects per destination (exit 1 if any is dead-lettered);"
        + " retry, resubmit or discard them.",
        subcommands = {SpoolCommand.ListEntries.class, SpoolCommand.Retry.class, SpoolCommand.Resubmit.class, SpoolCommand.Discard.class})
public final class SpoolCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "router.yaml", description = "the router configuration (its state folder holds the spool)")
    Path config;

    @Override public Integer call() throws Exception {
        return list(spec.commandLine().getOut(), state(null, spec));
    }

    /** The state folder of the subcommand's {@code --config}, or else of this command's. */
    private Path state(Path own, picocli.CommandLine.Model.CommandSpec asking) throws Exception {
        Path c = own != null ? own : config;
        if (c == null) throw new picocli.CommandLine.ParameterException(asking.commandLine(), "Missing required option: '--config=router.yaml'");
        return RouterConfig.load(c).state();
    }

    static int list(PrintWriter out, Path state) throws Exception {
        List<SpoolEntry> entries = Spool.of(state).entries();
        Map<String, List<SpoolEntry>> byDestination = entries.stream().collect(Collectors.groupingBy(SpoolEntry::calledAe, TreeMap::new,
                Collectors.toList()));
        Instant now = Instant.now();
        for (var d : byDestination.entrySet()) {
            out.println(d.getKey() + ": " + counts(d.getValue()));
            out.printf("  %-36s  %-11s  %8s  %7s  %-6s  %s%n", "ENTRY", "STATE", "ATTEMPTS", "AGE", "STATUS", "SOP INSTANCE UID");
            for (SpoolEntry e : d.getValue()) {
                out.printf("  %-36s  %-11s  %8d  %7s  %-6s  %s%n", e.id(), e.state(), e.attempts(), age(Duration.between(e.createdAt(), now)),
                        e.lastStatus() == null ? "-" : String.format("%04XH", e.lastStatus()), e.sopInstanceUid());
                out.println("      study " + (e.studyInstanceUid() == null ? "unknown" : e.studyInstanceUid())
                        + (e.lastReason() == null ? "" : "; last: " + e.lastReason()));
            }
        }
        out.println(entries.isEmpty() ? "the spool is empty" : entries.size() + " undelivered: " + counts(entries));
        return entries.stream().anyMatch(SpoolEntry::deadLettered) ? 1 : 0;
    }

    private static String counts(List<SpoolEntry> entries) {
        long dead = entries.stream().filter(SpoolEntry::deadLettered).count();
        long remote = entries.stream().filter(e -> e.state() == SpoolEntry.State.REMOTE_ACK).count();
        return (entries.size() - dead - remote) + " pending, " + dead + " dead-letter"
                + (remote == 0 ? "" : ", " + remote + " remote-ack (in flight, the modality waits for the remote status)");
    }

    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "m" + String.format("%02d", s % 60) + "s";
        if (s < 86400) return s / 3600 + "h" + String.format("%02d", s % 3600 / 60) + "m";
        return s / 86400 + "d" + String.format("%02d", s % 86400 / 3600) + "h";
    }

    @Command(name = "list", description = "List the undelivered objects per destination (the default; exit 1 if any is dead-lettered).")
    static final class ListEntries implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @ParentCommand SpoolCommand parent;
        @Option(names = "--config", paramLabel = "router.yaml", description = "the router configuration (or give it before the subcommand)") Path config;

        @Override public Integer call() throws Exception {
            return list(parent.spec.commandLine().getOut(), parent.state(config, spec));
        }
    }

    /** Which entries a change is for: exactly one of the four. */
    static final class Selection {
        @Option(names = "--id", paramLabel = "ENTRY", description = "one entry (its id, as listed)") String id;
        @Option(names = "--study", paramLabel = "UID", description = "every entry of a study (Study Instance UID)") String study;
        @Option(names = "--destination", paramLabel = "AE", description = "every entry for a destination (called AE title)") String destination;
        @Option(names = "--all", description = "every entry") boolean all;

        SpoolRequest.Selector selector() {
            return new SpoolRequest.Selector(id, study, destination, all);
        }
    }

    /** Shared by the three changes: the selection, who asks, and how long to wait for a running router. */
    abstract static class Change implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @ParentCommand SpoolCommand parent;
        @Option(names = "--config", paramLabel = "router.yaml", description = "the router configuration (or give it before the subcommand)") Path config;
        @ArgGroup(exclusive = true, multiplicity = "1") Selection selection;
        @Option(names = "--by", paramLabel = "NAME", description = "who makes the change, for the record (default: the user name)")
        String by = System.getProperty("user.name");
        @Option(names = "--wait", paramLabel = "SECONDS", description = "how long to wait for a running router to apply it (default ${DEFAULT-VALUE})")
        int waitSeconds = 30;

        abstract SpoolRequest.Action action();

        @Override public Integer call() throws Exception {
            PrintWriter out = parent.spec.commandLine().getOut();
            try {
                SpoolAnswer a = SpoolControl.apply(parent.state(config, spec), new SpoolRequest(action(), selection.selector(), by),
                        Duration.ofSeconds(waitSeconds));
                out.println(a.message());
                return a.matched() == 0 ? 1 : 0;
            } catch (java.io.IOException e) {
                parent.spec.commandLine().getErr().println("spool " + action().text() + " failed: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "retry", description = "Try pending entries now, without waiting for their back-off.")
    static final class Retry extends Change {
        @Override SpoolRequest.Action action() { return SpoolRequest.Action.RETRY; }
    }

    @Command(name = "resubmit", description = "Put dead-lettered entries back to pending (attempts start again), after fixing the cause.")
    static final class Resubmit extends Change {
        @Override SpoolRequest.Action action() { return SpoolRequest.Action.RESUBMIT; }
    }

    @Command(name = "discard", description = "Remove entries without delivering them; each is recorded in the spool's discarded.log.")
    static final class Discard extends Change {
        @Override SpoolRequest.Action action() { return SpoolRequest.Action.DISCARD; }
    }
}
