package org.dicomrelay.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dicomrelay.providers.emulators.AzuriteServer;

/** {@link ReferenceScenario} with both routers on Cloud IO "azure": block blobs and queues in Azurite. */
class ReferenceScenarioOnAzureTest extends ReferenceScenario {
    private AzureEmulator cloud;

    @Override protected RelayNetwork.Builder onProvider(RelayNetwork.Builder network) throws Exception {
        assumeTrue(AzuriteServer.unavailable().isEmpty(), () -> AzuriteServer.unavailable().orElse(""));
        cloud = new AzureEmulator();
        return network.cloud("azure", cloud.routerSettings());
    }

    @Override protected void assertProviderEmpty() {
        cloud.assertEmpty("hospital-a", "hospital-b");
    }

    @Override protected void stopProvider() {
        if (cloud != null) cloud.close();
    }
}
