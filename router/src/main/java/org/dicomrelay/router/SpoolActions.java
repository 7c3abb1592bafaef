package org.dicomrelay.router;

import org.dicomrelay.relay.log.Causes;

import java.io.IOException;
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

    /** The entries retried (pending, to be tried now), resubmitted (new records) and discarded, and the answer. */
    record Applied(List<SpoolEntry> retried, List<SpoolEntry> resubmitted, List<SpoolEntry> discarded, SpoolAnswer answer) {}

    private SpoolActions() {}

    static Applied apply(Spool spool, Collection<SpoolEntry> entries, SpoolRequest rq) throws IOException {
        List<SpoolEntry> matched = entries.stream().filter(rq.selector()::matches).toList();
        List<SpoolEntry> retried = new ArrayList<>(), resubmitted = new ArrayList<>(), discarded = new ArrayList<>();
        String message;
        switch (rq.action()) {
            case RETRY -> {
                for (SpoolEntry e : matched) if (!e.deadLettered()) retried.add(e);
                message = "retrying " + retried.size() + " pending entr" + (retried.size() == 1 ? "y" : "ies") + " now"
                        + skipped(matched.size() - retried.size(), "dead-lettered (use resubmit)");
            }
            case RESUBMIT -> {
                for (SpoolEntry e : matched) {
                    if (!e.deadLettered()) continue;
                    SpoolEntry again = e.resubmitted();
                    spool.write(again);
                    resubmitted.add(again);
                    LOG.log(System.Logger.Level.INFO, "resubmitted " + e.sopInstanceUid() + " to " + e.calledAe() + " (entry " + e.id() + ") by " + rq.by());
                }
                message = "resubmitted " + resubmitted.size() + " dead-lettered entr" + (resubmitted.size() == 1 ? "y" : "ies")
                        + skipped(matched.size() - resubmitted.size(), "pending already");
            }
            case DISCARD -> {
                for (SpoolEntry e : matched) {
                    try {
                        spool.discard(e, rq.by());
                    } catch (IOException ex) {
                        LOG.log(System.Logger.Level.ERROR, "could not discard entry " + e.id() + ": " + Causes.of(ex));
                        continue;
                    }
                    discarded.add(e);
                    LOG.log(System.Logger.Level.WARNING, "discarded " + e.sopInstanceUid() + " to " + e.calledAe() + " (entry " + e.id() + ", "
                            + e.state() + ") by " + rq.by() + "; recorded in " + Spool.DISCARDED_LOG);
                }
                message = "discarded " + discarded.size() + " entr" + (discarded.size() == 1 ? "y" : "ies") + " (recorded in "
                        + spool.dir().resolve(Spool.DISCARDED_LOG) + ")" + skipped(matched.size() - discarded.size(), "could not be removed, see the log");
            }
            default -> throw new IllegalStateException("unknown action " + rq.action());
        }
        if (matched.isEmpty()) message = "no entry matches " + rq.selector();
        int changed = retried.size() + resubmitted.size() + discarded.size();
        return new Applied(retried, resubmitted, discarded, new SpoolAnswer(matched.size(), changed, message));
    }

    private static String skipped(int n, String why) {
        return n == 0 ? "" : "; " + n + " skipped: " + why;
    }
}
