package org.dicomrelay.router;

import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.FailureText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Operators' changes to a spool, without a restart or a hand-edited file. With no router
 * running, the change is applied to the records directly (holding the router's lock, so a router
 * starting meanwhile waits). With a router running, it alone writes the records: the request is
 * dropped into {@code spool/requests/}; the router claims it by renaming it ({@code .taken}),
 * applies it within about a second and answers in a file next to it. The rename decides who has
 * it: a command that stops waiting can withdraw a request only while no router has taken it.
 */
public final class SpoolControl {
    static final String REQUEST = ".json", TAKEN = ".taken", ANSWER = ".answer";
    /** How often a running router looks for requests. */
    static final Duration POLL = Duration.ofSeconds(1);
    /** Answers nobody collected (the command stopped waiting) are removed after this long. */
    static final Duration ANSWER_KEPT = Duration.ofMinutes(10);
    private static final System.Logger LOG = System.getLogger(SpoolControl.class.getName());

    private SpoolControl() {}

    /** Applies {@code rq} to the spool of the router whose state folder is {@code stateDir}; waits at most {@code wait} for a running router. */
    public static SpoolAnswer apply(Path stateDir, SpoolRequest rq, Duration wait) throws IOException {
        Spool spool = Spool.of(stateDir);
        SpoolAnswer[] offline = new SpoolAnswer[1];
        if (spool.whileNoRouter(() -> offline[0] = SpoolActions.apply(spool, spool.entries(), rq).answer())) {
            SpoolAnswer a = offline[0];
            if (rq.action() != SpoolRequest.Action.RETRY || a.changed() == 0) return a;
            return new SpoolAnswer(a.matched(), a.changed(), "no router is running: " + a.changed() + " pending entr"
                    + (a.changed() == 1 ? "y is" : "ies are") + " tried as soon as it starts");
        }
        return viaRouter(spool, rq, wait);
    }

    private static SpoolAnswer viaRouter(Spool spool, SpoolRequest rq, Duration wait) throws IOException {
        OwnerOnly.folder(spool.requests());
        String id = UUID.randomUUID().toString();
        Path request = spool.requests().resolve(id + REQUEST), answer = spool.requests().resolve(id + ANSWER);
        Spool.writeAtomically(request, Spool.JSON.writeValueAsBytes(rq));
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (Files.exists(answer)) {
                    SpoolAnswer a = Spool.JSON.readValue(answer.toFile(), SpoolAnswer.class);
                    Files.deleteIfExists(answer);
                    return a;
                }
                Thread.sleep(50); // polling a file the router writes: there is no other signal across processes
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (Files.deleteIfExists(request)) {
            throw new IOException("the router did not take the request within " + wait.toSeconds() + " s; nothing was changed");
        }
        if (Files.exists(answer)) { // answered just now
            SpoolAnswer a = Spool.JSON.readValue(answer.toFile(), SpoolAnswer.class);
            Files.deleteIfExists(answer);
            return a;
        }
        throw new IOException("the router took the request and is still applying it (not answered within " + wait.toSeconds()
                + " s); list the spool to see its state");
    }

    /**
     * The router's side: claims and applies every waiting request through {@code applier} and
     * answers it. Never throws: it runs on a timer, which an exception would silently stop.
     */
    static void serve(Spool spool, Applier applier) {
        try {
            serveWaiting(spool, applier);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot serve spool requests in " + spool.requests() + " (tried again in "
                    + POLL.toSeconds() + " s): " + FailureText.of(e));
        }
    }

    private static void serveWaiting(Spool spool, Applier applier) throws IOException {
        List<Path> waiting, answers;
        try (Stream<Path> s = Files.list(spool.requests())) {
            List<Path> all = s.toList();
            waiting = all.stream().filter(p -> p.getFileName().toString().endsWith(REQUEST)).sorted().toList();
            answers = all.stream().filter(p -> p.getFileName().toString().endsWith(ANSWER)).toList();
        } catch (NoSuchFileException none) {
            return;
        }
        for (Path p : waiting) {
            String stem = p.getFileName().toString().substring(0, p.getFileName().toString().length() - REQUEST.length());
            Path taken = p.resolveSibling(stem + TAKEN);
            try {
                Files.move(p, taken, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException withdrawn) {
                continue; // the command stopped waiting and took it back: nothing to do
            }
            SpoolAnswer a;
            try {
                a = applier.apply(Spool.JSON.readValue(taken.toFile(), SpoolRequest.class));
            } catch (IOException | RuntimeException e) {
                a = new SpoolAnswer(0, 0, "request not applied: " + FailureText.of(e));
            }
            try {
                Spool.writeAtomically(p.resolveSibling(stem + ANSWER), Spool.JSON.writeValueAsBytes(a));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot answer spool request " + p + " (" + a.message() + "): " + FailureText.of(e));
            }
            Files.deleteIfExists(taken);
        }
        Instant old = Instant.now().minus(ANSWER_KEPT);
        for (Path p : answers) {
            try {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(old)) Files.deleteIfExists(p);
            } catch (NoSuchFileException collected) {
                // the command read it meanwhile
            }
        }
    }

    @FunctionalInterface
    interface Applier {
        SpoolAnswer apply(SpoolRequest rq) throws IOException;
    }
}
