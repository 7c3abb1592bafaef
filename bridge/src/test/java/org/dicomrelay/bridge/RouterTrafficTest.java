package org.dicomrelay.bridge;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the console's routers page and network map show of the Bridge's traffic: per router pair, each direction on its own. */
class RouterTrafficTest {
    @Test void countsEachDirectionOfEachPairAndKeepsTheLatestCall() {
        RouterTraffic t = new RouterTraffic();
        t.seen("hospital-a", 2_000);
        t.seen("hospital-a", 1_000); // a late-logged earlier call does not move it back
        t.notification("hospital-a", "hospital-b");
        t.notification("hospital-a", "hospital-b");
        t.blobBytes("hospital-a", "hospital-b", 4096);
        t.blobBytes("hospital-b", "hospital-a", 10);
        t.blobBytes("hospital-b", "hospital-a", -1); // length unknown: nothing counted
        RouterTraffic.Snapshot s = t.snapshot(5_000);
        assertThat(s.lastSeen()).containsExactlyEntriesOf(java.util.Map.of("hospital-a", 2_000L));
        assertThat(s.links()).containsExactly(new RouterTraffic.Link("hospital-a", "hospital-b", 2, 4096),
                new RouterTraffic.Link("hospital-b", "hospital-a", 0, 10));
    }

    @Test void madeUpRecipientsCannotGrowItBeyondItsBound() {
        RouterTraffic t = new RouterTraffic();
        for (int i = 0; i < RouterTraffic.MAX_LINKS + 50; i++) t.notification("hospital-a", "nobody-" + i);
        t.notification("hospital-a", "nobody-0"); // a counted pair still counts
        List<RouterTraffic.Link> links = t.snapshot(0).links();
        assertThat(links).hasSize(RouterTraffic.MAX_LINKS);
        assertThat(links).filteredOn(l -> l.to().equals("nobody-0")).singleElement().extracting(RouterTraffic.Link::notifications).isEqualTo(2L);
    }

    /** Issue 11, the Bridge console's routers list: each router's version, told by the User-Agent of its calls. */
    @Test void aRoutersCallsTellTheBridgeItsVersion(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            org.dicomrelay.relay.bridge.BridgeClient a = bridge.client(bridge.enroll("hospital-a"));
            a.directory();
            assertThat(bridge.server.traffic().versions()).containsEntry("hospital-a",
                    org.dicomrelay.relay.ProductVersion.ofUserAgent(org.dicomrelay.relay.ProductVersion.userAgent()));
        }
    }
}
