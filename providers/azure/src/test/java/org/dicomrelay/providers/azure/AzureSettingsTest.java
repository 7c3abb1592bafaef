package org.dicomrelay.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.Test;

/** Settings, credentials and names of Cloud IO "azure" that need no service: where secrets come from and that they never print. */
class AzureSettingsTest {
    private static final String KEY = "a2V5LW5ldmVyLXByaW50ZWQ=";
    private static final Map<String, String> NO_ENVIRONMENT = Map.of();

    private static AzureCredentials credentials(Map<String, String> settings, Map<String, String> env) {
        return AzureCredentials.of(settings, env::get);
    }

    @Test void theSecretSettingsAreTheThreeKindsOfCredential() {
        assertThat(CloudProvider.named("azure").secretSettings()).containsExactlyInAnyOrder("connectionString", "accountKey", "sasToken");
    }

    /** Mixed clouds: the Bridge cannot hand a router Azure credentials under provider "routed" either. */
    @Test void underRoutedTheAzureSecretsAreSecretsToo() {
        assertThat(CloudProvider.named("routed").secretSettings()).contains("azure.connectionString", "azure.accountKey", "azure.sasToken");
    }

    @Test void router_yamlWinsOverTheEnvironmentAndAConnectionStringOverAKey() {
        Map<String, String> env = Map.of("AZURE_STORAGE_CONNECTION_STRING", "from-env");
        assertThat(credentials(Map.of("accountName", "acct", "accountKey", KEY), env).kind()).isEqualTo(AzureCredentials.Kind.ACCOUNT_KEY);
        assertThat(credentials(Map.of("accountName", "acct", "accountKey", KEY, "connectionString", "cs"), env).kind())
                .isEqualTo(AzureCredentials.Kind.CONNECTION_STRING);
        AzureCredentials fromEnv = credentials(Map.of(), env);
        assertThat(fromEnv.kind()).isEqualTo(AzureCredentials.Kind.CONNECTION_STRING);
        assertThat(fromEnv.secret()).isEqualTo("from-env");
        assertThat(credentials(Map.of("sasToken", "?sv=2024&sig=abc"), NO_ENVIRONMENT).secret()).as("the leading ? dropped").isEqualTo("sv=2024&sig=abc");
        assertThat(credentials(Map.of(), Map.of("AZURE_STORAGE_ACCOUNT", "acct", "AZURE_STORAGE_KEY", KEY)).accountName()).isEqualTo("acct");
    }

    @Test void noCredentialsAnywhereIsAClearErrorNamingEveryWay() {
        assertThatThrownBy(() -> credentials(Map.of("container", "relay"), NO_ENVIRONMENT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectionString").hasMessageContaining("accountKey").hasMessageContaining("sasToken")
                .hasMessageContaining("AZURE_STORAGE_CONNECTION_STRING");
        assertThatThrownBy(() -> credentials(Map.of("accountKey", KEY), NO_ENVIRONMENT)).hasMessageContaining("accountName")
                .hasMessageNotContaining(KEY);
    }

    @Test void settingsPrintNoSecret() {
        for (String secretSetting : Set.of("accountKey", "connectionString", "sasToken")) {
            Map<String, String> s = new HashMap<>(Map.of("accountName", "acct", "container", "relay"));
            s.put(secretSetting, KEY);
            String printed = AzureSettings.of(s).toString();
            assertThat(printed).as("settings with %s", secretSetting).doesNotContain(KEY).contains("router.yaml " + secretSetting);
        }
    }

    @Test void badNumbersAndRangesNameTheSetting() {
        Map<String, String> s = new HashMap<>(Map.of("accountName", "acct", "accountKey", KEY, "container", "relay"));
        s.put("blockBytes", "lots");
        assertThatThrownBy(() -> AzureSettings.of(s)).hasMessageContaining("blockBytes");
        s.put("blockBytes", "1024");
        assertThatThrownBy(() -> AzureSettings.of(s)).hasMessageContaining("blockBytes");
        s.remove("blockBytes");
        s.put("visibilitySeconds", "0");
        assertThatThrownBy(() -> AzureSettings.of(s)).hasMessageContaining("visibilitySeconds");
        s.remove("visibilitySeconds");
        s.remove("container");
        assertThatThrownBy(() -> CloudProvider.named("azure").blobStore(s)).hasMessageContaining("container");
    }

    /** Azure queue names: 3-63 of [a-z0-9-], starting and ending with a letter or digit, no "--". */
    @Test void everyRouterIdGetsAValidQueueNameOfItsOwn() {
        String valid = "[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]";
        Set<String> names = new HashSet<>();
        for (String id : new String[] {"hospital-a", "Hospital-A", "hospital_a", "hospital.a", "HOSPITAL--A", "_x", "a".repeat(64), "A".repeat(64)}) {
            String name = QueueNames.of("dicom-relay-", id);
            assertThat(name).as("queue of %s", id).matches(valid);
            assertThat(names.add(name)).as("queue of %s is its own", id).isTrue();
        }
        assertThat(QueueNames.of("dicom-relay-", "hospital-a")).isEqualTo("dicom-relay-hospital-a");
    }

    @Test void blockIdsHaveOneLengthAndCarryTheirUploadsStart() {
        String first = BlockIds.of(1_700_000_000_000L, 0), last = BlockIds.of(1_700_000_000_000L, BlockIds.MAX_BLOCKS - 1);
        assertThat(first).hasSameSizeAs(last);
        assertThat(BlockIds.started(last)).hasValueSatisfying(t -> assertThat(t.toEpochMilli()).isEqualTo(1_700_000_000_000L));
        assertThat(BlockIds.started("bm90LW91cnM=")).as("a block another writer named").isEmpty();
    }

    @Test void receiptHandlesKeepMessageIdAndPopReceiptApart() {
        ReceiptHandle h = ReceiptHandle.parse(ReceiptHandle.of("6e3c6d52-0a4e-4c1f-9a0e-2b5d6f7a8b9c", "AgAAAAMAAAAAAAAA+/x=="));
        assertThat(h).isEqualTo(new ReceiptHandle("6e3c6d52-0a4e-4c1f-9a0e-2b5d6f7a8b9c", "AgAAAAMAAAAAAAAA+/x=="));
        assertThatThrownBy(() -> ReceiptHandle.parse("sqs-receipt-handle")).isInstanceOf(IllegalArgumentException.class);
    }
}
