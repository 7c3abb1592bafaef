package org.dicomrelay.router;

import org.dicomrelay.relay.log.Causes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Operators' changes to a spool, without a restart or a hand-edited file. With no router
 * running, the change is applied to the records directly (holding the router's lock, so a router
 * starting meanwhile waits). With a router running, it alone writes the records: the request is
 * dropped into {@code spool/requests/}, the router applies it within about a second and answers
 * in a file next to it.
 */
public final class SpoolControl {
    static final String REQUEST = ".json", ANSWER = ".answer";
    /** How often a running router looks for requests. */
    static final Duration POLL = Duration.ofSeconds(1);

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
        Files.createDirectories(spool.requests());
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
        throw new IOException("the router took the request but did not answer within " + wait.toSeconds() + " s; list the spool to see its state");
    }

    /** The router's side: applies every waiting request through {@code applier} and answers it. */
    static void serve(Spool spool, Applier applier) {
        List<Path> waiting;
        try (Stream<Path> s = Files.list(spool.requests())) {
            waiting = s.filter(p -> p.getFileName().toString().endsWith(REQUEST)).sorted().toList();
        } catch (NoSuchFileException none) {
            return;
        } catch (IOException e) {
            System.getLogger(SpoolControl.class.getName()).log(System.Logger.Level.WARNING, "cannot read spool requests in "
                    + spool.requests() + ": " + Causes.of(e));
            return;
        }
        for (Path p : waiting) {
            String name = p.getFileName().toString();
            SpoolAnswer a;
            try {
                a = applier.apply(Spool.JSON.readValue(p.toFile(), SpoolRequest.class));
            } catch (IOException | RuntimeException e) {
                a = new SpoolAnswer(0, 0, "request not applied: " + Causes.of(e));
            }
            try {
                Spool.writeAtomically(p.resolveSibling(name.substring(0, name.length() - REQUEST.length()) + ANSWER), Spool.JSON.writeValueAsBytes(a));
                Files.deleteIfExists(p);
            } catch (IOException e) {
                System.getLogger(SpoolControl.class.getName()).log(System.Logger.Level.WARNING, "cannot answer spool request " + p + ": " + Causes.of(e));
            }
        }
    }

    @FunctionalInterface
    interface Applier {
        SpoolAnswer apply(SpoolRequest rq) throws IOException;
    }
}
