package org.dicomrelay.router;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Operators' requests to a running router through {@code spool/requests/}: the router claims a
 * request by renaming it, so a command that stops waiting tells the truth about what happened;
 * nothing is left behind.
 */
@Timeout(60)
class SpoolControlTest {
    private static final SpoolRequest RETRY_ALL = new SpoolRequest(SpoolRequest.Action.RETRY, SpoolRequest.Selector.everything(), "test");

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean has(Path d, String suffix) throws IOException {
        return names(d).stream().anyMatch(n -> n.endsWith(suffix));
    }

    @Test void aRequestTheRouterIsStillApplyingIsReportedAsTakenNotAsUnchanged(@TempDir Path state) throws Exception {
        Spool router = Spool.recover(state.resolve("spool"));
        CountDownLatch applying = new CountDownLatch(1), release = new CountDownLatch(1);
        try {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                await().atMost(Duration.ofSeconds(10)).until(() -> has(router.requests(), SpoolControl.REQUEST));
                SpoolControl.serve(router, rq -> {
                    applying.countDown();
                    try {
                        release.await(); // a big discard, still writing
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new SpoolAnswer(1, 1, "done");
                });
            });
            assertThatThrownBy(() -> SpoolControl.apply(state, RETRY_ALL, Duration.ofSeconds(2)))
                    .hasMessageContaining("the router took the request and is still applying it").hasMessageNotContaining("nothing was changed");
            assertThat(applying.getCount()).isZero();
            release.countDown();
            serving.get(10, TimeUnit.SECONDS);
            assertThat(names(router.requests())).as("answered; nobody collects it").singleElement().asString().endsWith(SpoolControl.ANSWER);
        } finally {
            release.countDown();
            router.close();
        }
        // the next start sweeps the answer nobody collected
        try (Spool again = Spool.recover(state.resolve("spool"))) {
            assertThat(names(again.requests())).isEmpty();
        }
    }

    @Test void aRequestNoRouterTookIsWithdrawnAndNothingWasChanged(@TempDir Path state) throws Exception {
        try (Spool router = Spool.recover(state.resolve("spool"))) {
            assertThatThrownBy(() -> SpoolControl.apply(state, RETRY_ALL, Duration.ofMillis(300)))
                    .hasMessageContaining("the router did not take the request").hasMessageContaining("nothing was changed");
            assertThat(names(router.requests())).isEmpty();
            SpoolControl.serve(router, rq -> {
                throw new AssertionError("a withdrawn request must not be applied");
            });
        }
    }

    @Test void atStartRequestsAStoppedRouterHadTakenAndUncollectedAnswersGoAndWaitingRequestsStay(@TempDir Path state) throws Exception {
        Path requests = state.resolve("spool").resolve(Spool.REQUESTS);
        Files.createDirectories(requests);
        Files.writeString(requests.resolve("a" + SpoolControl.TAKEN), "{}");
        Files.writeString(requests.resolve("b" + SpoolControl.ANSWER), "{}");
        Files.writeString(requests.resolve("c" + SpoolControl.REQUEST), Spool.JSON.writeValueAsString(RETRY_ALL));
        try (Spool router = Spool.recover(state.resolve("spool"))) {
            assertThat(names(requests)).containsExactly("c" + SpoolControl.REQUEST);
        }
    }

    @Test void aRequestThatCannotBeReadIsAnsweredAndTheNextOneIsStillServed(@TempDir Path state) throws Exception {
        try (Spool router = Spool.recover(state.resolve("spool"))) {
            Files.writeString(router.requests().resolve("1" + SpoolControl.REQUEST), "not json");
            Files.writeString(router.requests().resolve("2" + SpoolControl.REQUEST), Spool.JSON.writeValueAsString(RETRY_ALL));
            SpoolControl.serve(router, rq -> new SpoolAnswer(0, 0, "applied"));
            assertThat(Files.readString(router.requests().resolve("1" + SpoolControl.ANSWER))).contains("request not applied");
            assertThat(Files.readString(router.requests().resolve("2" + SpoolControl.ANSWER))).contains("applied");
            assertThat(names(router.requests())).containsExactly("1" + SpoolControl.ANSWER, "2" + SpoolControl.ANSWER);
        }
    }
}
