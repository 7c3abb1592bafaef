package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;

/** {@link ReferenceScenario} on the default provider: blobs and inboxes at the Bridge (no cloud section, no assignment). */
class ReferenceScenarioOnTheBridgeStoreTest extends ReferenceScenario {
    @Override protected RelayNetwork.Builder onProvider(RelayNetwork.Builder network) {
        return network.bridgeStore();
    }

    @Override protected void assertProviderEmpty() throws Exception {
        assertThat(new ObjectMapper().readTree(net.admin("GET", "/api/admin/blobs", null).body()).get("blobs").asLong())
                .as("blobs held at the Bridge").isZero();
    }

    @Override protected void stopProvider() {}
}
