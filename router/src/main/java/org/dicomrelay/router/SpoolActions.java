package org.dicomrelay.router;

import org.dicomrelay.dicom.net.FailureText;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Applies an operator's {@link SpoolRequest} to the spool's records: the same code whether the
 * router applies it (and then updates its queues from the result) or the command does, with no
 * router running.
 */
final class SpoolActions {
    private static final System.Logger LOG = System.getLogger(SpoolActions.class.getName());

    /** What a request picks: {@code matched} entries, of which these are retried, resubmitted and discarded. */
    record Plan(SpoolRequest request, int matched, List<SpoolEntry> retry, List<SpoolEntry> resubmit, List<SpoolEntry> discard) {}

    /** The entries retried (pending, to be tried now), resubmitted (new records) and discarded, and the answer. */
    record Applied(List<SpoolEntry> retried, List<SpoolEntry> resubmitted, List<SpoolEntry> discarded, SpoolAnswer answer) {}

    private SpoolActions() {}

    static Applied apply(Spool spool, Collection<SpoolEntry> entries, SpoolRequest rq) {
        return perform(spool, plan(entries, rq), Instant.now());
    }

    /** Picks the entries, without touching a file (the router does this under its lock). */
    static Plan plan(Collection<SpoolEntry> entries, SpoolRequest rq) {
        List<SpoolEntry> matched = entries.stream().filter(rq.selector()::matches).toList();
        List<SpoolEntry> none = List.of();
        return switch (rq.action()) {
            case RETRY -> new Plan(rq, matched.size(), matched.stream().filter(e -> e.state() == SpoolEntry.State.PENDING).toList(), none, none);
            case RESUBMIT -> new Plan(rq, matched.size(), none, matched.stream().filter(SpoolEntry::deadLettered).toList(), none);
            case DISCARD -> new Plan(rq, matched.size(), none, none, matched);
        };
    }

    /** Writes what {@code p} changes, entry by entry: one that cannot be written is logged and left as it was. */
    static Applied perform(Spool spool, Plan p, Instant now) {
        SpoolRequest rq = p.request();
        List<SpoolEntry> resubmitted = new ArrayList<>(), discarded = new ArrayList<>();
        String message;
        switch (rq.action()) {
            case RETRY -> message = "retrying " + p.retry().size() + " pending entr" + (p.retry().size() == 1 ? "y" : "ies") + " now"
                    + skipped(p.matched() - p.retry().size(), "not pending (use resubmit for dead letters)");
            case RESUBMIT -> {
                for (SpoolEntry e : p.resubmit()) {
                    SpoolEntry again = e.resubmitted(now);
                    try {
                        spool.write(again);
                    } catch (IOException ex) {
                        LOG.log(System.Logger.Level.ERROR, "could not resubmit entry " + e.id() + ": " + FailureText.of(ex));
                        continue;
                    }
                    resubmitted.add(again);
                    LOG.log(System.Logger.Level.INFO, "resubmitted " + e.sopInstanceUid() + " to " + e.calledAe() + " (entry " + e.id() + ") by " + rq.by());
                }
                message = "resubmitted " + resubmitted.size() + " dead-lettered entr" + (resubmitted.size() == 1 ? "y" : "ies")
                        + skipped(p.matched() - p.resubmit().size(), "not dead-lettered")
                        + skipped(p.resubmit().size() - resubmitted.size(), "could not be written, see the log");
            }
            case DISCARD -> {
                for (SpoolEntry e : p.discard()) {
                    try {
                        spool.discard(e, rq.by());
                    } catch (IOException ex) {
                        LOG.log(System.Logger.Level.ERROR, "could not discard entry " + e.id() + ": " + FailureText.of(ex));
                        continue;
                    }
                    discarded.add(e);
                    LOG.log(System.Logger.Level.WARNING, "discarded " + e.sopInstanceUid() + " to " + e.calledAe() + " (entry " + e.id() + ", "
                            + e.state() + ") by " + rq.by() + "; recorded in " + Spool.DISCARDED_LOG);
                }
                message = "discarded " + discarded.size() + " entr" + (discarded.size() == 1 ? "y" : "ies") + " (recorded in "
                        + spool.dir().resolve(Spool.DISCARDED_LOG) + ")" + skipped(p.matched() - discarded.size(), "could not be removed, see the log");
            }
            default -> throw new IllegalStateException("unknown action " + rq.action());
        }
        if (p.matched() == 0) message = "no entry matches " + rq.selector();
        int changed = p.retry().size() + resubmitted.size() + discarded.size();
        return new Applied(p.retry(), resubmitted, discarded, new SpoolAnswer(p.matched(), changed, message));
    }

    private static String skipped(int n, String why) {
        return n == 0 ? "" : "; " + n + " skipped: " + why;
    }
}
