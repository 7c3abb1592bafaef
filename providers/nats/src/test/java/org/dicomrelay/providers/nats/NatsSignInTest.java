package org.dicomrelay.providers.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.dicomrelay.providers.emulators.NatsServer;
import org.dicomrelay.relay.cloud.Notifications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A wrong NATS password fails with a clear IOException that never repeats the password; a missing consumer with nats.create false is named. */
class NatsSignInTest {
    private static NatsServer nats;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(NatsServer.binary().isPresent(), NatsServer.ABSENT);
        nats = new NatsServer("relay", "right-password");
    }

    @AfterAll
    static void stop() throws Exception {
        if (nats != null) nats.close();
    }

    @Test
    void aWrongPasswordIsAClearIOExceptionWithoutThePassword() throws Exception {
        Map<String, String> s = Map.of(NatsSettings.URL, nats.url().toString(), NatsCredentials.USER, "relay", NatsCredentials.PASSWORD, "wrong-password-xyz");
        try (Notifications n = new NatsProvider().notifications(s, "hospital-a", null)) {
            assertThatThrownBy(() -> n.poll(Duration.ZERO)).isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(e.getMessage()).contains("cannot connect to NATS at [" + nats.url() + "]").contains("user_password")
                            .doesNotContain("wrong-password-xyz").doesNotContain("null"));
        }
    }

    @Test
    void withoutCreateAMissingConsumerIsNamed() throws Exception {
        Map<String, String> s = Map.of(NatsSettings.URL, nats.url().toString(), NatsCredentials.USER, "relay", NatsCredentials.PASSWORD, "right-password",
                NatsSettings.CREATE, "false", NatsSettings.STREAM, "NOT_MADE");
        try (Notifications n = new NatsProvider().notifications(s, "hospital-b", null)) {
            assertThatThrownBy(() -> n.poll(Duration.ZERO)).isInstanceOf(IOException.class)
                    .hasMessageContaining("no JetStream consumer 'inbox-hospital-b' on stream 'NOT_MADE'").hasMessageContaining(NatsSettings.CREATE);
        }
    }
}
