package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.cloud.Notifications.Notification;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10 (found by the benchmark): after router B restarts against a running Bridge, the first
 * request through A -> B went unanswered for about 60 s. The stopped instance's long poll was still
 * parked at the Bridge (a killed process's connection looks alive to it); the request's
 * notification was handed to that dead poll and stayed hidden for the inbox's visibility timeout
 * (60 s), longer than A waits for the answer. Now the restarted B's first poll takes the inbox
 * over and gets it at once. The C-ECHO (PS3.7 9.1.5) must be answered well within the visibility
 * timeout.
 */
@Timeout(120)
class RouterRestartInboxTest {
    private static final Duration VISIBILITY = Duration.ofSeconds(60);
    private static final Duration ANSWERED_WITHIN = Duration.ofSeconds(20);

    @Test
    void aCEchoRightAfterRouterBRestartsIsAnsweredWithinSecondsNotAfterTheVisibilityTimeout() throws Exception {
        try (RelayNetwork net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).bridgeStore().visibilityTimeout(VISIBILITY).start()) {
            String portA = String.valueOf(net.portA());
            Peers.Result warm = RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1", portA);
            assertThat(warm.exitCode()).as(warm.output()).isZero();

            net.b.close();
            net.b = null;
            // What a killed router B leaves behind: its long poll, parked at the Bridge under its poller ID. It takes over
            // from the closed instance's poll, which is still parked too: the Bridge does not learn that a client went away
            // while its request waits (without the takeover, that poll may swallow the request instead, and this one times out).
            BridgeClient killed = RelayNetwork.client(RelayNetwork.credentials(net.configB));
            CompletableFuture<List<Notification>> deadPoll = CompletableFuture.supplyAsync(() -> {
                try {
                    return killed.poll(Duration.ofSeconds(30), "killed-instance");
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });

            // The request goes out while B is down, and the dead poll swallows its notification (whether parked yet or not).
            CompletableFuture<Peers.Result> echo = CompletableFuture.supplyAsync(() -> {
                try {
                    return RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1", portA);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            assertThat(deadPoll.get(30, TimeUnit.SECONDS)).as("the request, handed to the dead poll").isNotEmpty();

            long restarted = System.nanoTime();
            net.b = RouterApp.start(net.configB);
            Peers.Result answered = echo.get(ANSWERED_WITHIN.toSeconds(), TimeUnit.SECONDS);
            assertThat(answered.exitCode()).as(answered.output()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - restarted)).isLessThan(ANSWERED_WITHIN);
        }
    }
}
