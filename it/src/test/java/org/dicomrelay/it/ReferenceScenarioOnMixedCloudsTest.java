package org.dicomrelay.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HashMap;
import java.util.Map;
import org.dicomrelay.providers.emulators.AzuriteServer;
import org.dicomrelay.router.config.RouterConfig;

/**
 * {@link ReferenceScenario} across two clouds (issue 12: "two routers on different providers
 * still exchange: a message goes where its recipient reads"): router A reads from S3/SQS
 * (S3Proxy, ElasticMQ), router B from Azure (Azurite), both on Cloud IO "routed". A C-STORE goes
 * from A into B's Azure container and queue; the instances of a C-MOVE or C-GET come back from B
 * into A's bucket and SQS queue. After each operation both clouds hold nothing.
 */
class ReferenceScenarioOnMixedCloudsTest extends ReferenceScenario {
    private S3Emulators s3;
    private AzureEmulator azure;

    @Override protected RelayNetwork.Builder onProvider(RelayNetwork.Builder network) throws Exception {
        assumeTrue(AzuriteServer.unavailable().isEmpty(), () -> AzuriteServer.unavailable().orElse(""));
        s3 = new S3Emulators();
        azure = new AzureEmulator();
        return network.clouds(routed("s3", "hospital-b", "azure"), routed("azure", "hospital-a", "s3"));
    }

    /** Reads from {@code home}; writes for {@code peer} to {@code peersProvider}; both providers' settings under their names. */
    private RouterConfig.Cloud routed(String home, String peer, String peersProvider) {
        Map<String, String> settings = new HashMap<>();
        settings.put("home", home);
        settings.put("peer." + peer, peersProvider);
        s3.routerSettings().forEach((k, v) -> settings.put("s3." + k, v));
        azure.routerSettings().forEach((k, v) -> settings.put("azure." + k, v));
        return new RouterConfig.Cloud("routed", settings);
    }

    @Override protected void assertProviderEmpty() throws Exception {
        s3.assertEmpty("hospital-a");
        azure.assertEmpty("hospital-b");
    }

    @Override protected void stopProvider() throws Exception {
        try {
            if (azure != null) azure.close();
        } finally {
            if (s3 != null) s3.close();
        }
    }
}
