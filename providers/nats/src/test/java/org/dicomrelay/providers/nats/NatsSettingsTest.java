package org.dicomrelay.providers.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.Test;

/** Settings of provider "nats": defaults, credentials from router.yaml or the environment, nothing secret in toString. */
class NatsSettingsTest {

    @Test
    void defaultsNameOneStreamAndASubjectAndConsumerPerRouter() {
        NatsSettings s = NatsSettings.of(Map.of(), v -> null);
        assertThat(s.servers()).containsExactly(NatsSettings.DEFAULT_URL);
        assertThat(s.visibilityTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.subject("hospital-a")).isEqualTo("dicomrelay.inbox.hospital-a");
        assertThat(s.consumer("hospital-a")).isEqualTo("inbox-hospital-a");
        assertThat(s.streamSubjects()).isEqualTo("dicomrelay.inbox.>");
        assertThat(s.credentials().kind()).isEqualTo(NatsCredentials.Kind.NONE);
    }

    /** A '.' separates NATS subject tokens: router IDs holding one (the Bridge allows it) stay one token, one to one. */
    @Test
    void routerIdsWithDotsOrUnderscoresBecomeOneDistinctToken() {
        NatsSettings s = NatsSettings.of(Map.of(), v -> null);
        assertThat(s.subject("site.a")).isEqualTo("dicomrelay.inbox.site_2Ea");
        assertThat(SubjectTokens.of("site_2Ea")).isEqualTo("site_5F2Ea").isNotEqualTo(SubjectTokens.of("site.a"));
    }

    @Test
    void credentialsComeFromRouterYamlFirstThenTheEnvironment() {
        Map<String, String> env = Map.of("NATS_USER", "env-user", "NATS_PASSWORD", "env-pass");
        NatsSettings fromEnv = NatsSettings.of(Map.of(), env::get);
        assertThat(fromEnv.credentials().kind()).isEqualTo(NatsCredentials.Kind.USER_PASSWORD);
        assertThat(fromEnv.credentials().user()).isEqualTo("env-user");
        NatsSettings token = NatsSettings.of(Map.of(NatsCredentials.TOKEN, "yaml-token"), v -> null);
        assertThat(token.credentials().kind()).isEqualTo(NatsCredentials.Kind.TOKEN);
        NatsSettings own = NatsSettings.of(Map.of(NatsCredentials.USER, "yaml-user", NatsCredentials.PASSWORD, "yaml-pass"), env::get);
        assertThat(own.credentials().user()).isEqualTo("yaml-user");
    }

    @Test
    void severalKindsOfCredentialsOrAUserWithoutPasswordAreRefusedClearly() {
        assertThatThrownBy(() -> NatsSettings.of(Map.of(NatsCredentials.TOKEN, "t"), Map.of("NATS_NKEY_SEED", "SU")::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not several");
        assertThatThrownBy(() -> NatsSettings.of(Map.of(NatsCredentials.USER, "u"), v -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("go together");
        assertThatThrownBy(() -> NatsSettings.of(Map.of(NatsSettings.VISIBILITY_SECONDS, "soon"), v -> null))
                .hasMessageContaining(NatsSettings.VISIBILITY_SECONDS);
    }

    @Test
    void toStringNamesNoSecretNotEvenOneInTheUrl() {
        NatsSettings s = NatsSettings.of(Map.of(NatsSettings.URL, "nats://alice:url-secret@127.0.0.1:4222", NatsCredentials.TOKEN, "token-secret"), v -> null);
        assertThat(s.toString()).doesNotContain("url-secret").doesNotContain("token-secret").doesNotContain("alice").contains("credentials=token");
    }

    @Test
    void credentialsAreSecretSettingsThatTheBridgeCannotAssign() {
        assertThat(CloudProvider.named("nats").secretSettings()).contains(NatsCredentials.PASSWORD, NatsCredentials.TOKEN, NatsCredentials.NKEY_SEED,
                NatsCredentials.CREDS_FILE);
    }
}
