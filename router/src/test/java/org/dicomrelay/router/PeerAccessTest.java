package org.dicomrelay.router;

import org.dicomrelay.relay.bridge.AccessGrant;
import org.dicomrelay.relay.bridge.AccessGrants;
import org.dicomrelay.router.config.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Router B's side of the access matrix (issue 9, point 4): nothing granted, nothing allowed; only
 * grants on this router's own AE titles count; the cache in the state folder restores them.
 */
class PeerAccessTest {
    @TempDir Path state;

    private static final AccessGrants MATRIX = new AccessGrants(List.of(
            new AccessGrant("hospital-a", "PACS_B", "hospital-b", List.of("find", "echo")),
            // a grant on another router's title of the same name must not open ours
            new AccessGrant("hospital-c", "PACS_B", "hospital-x", List.of("find"))));

    @Test void onlyWhatTheMatrixGrantsOnOurOwnTitlesIsAllowed() {
        PeerAccess access = PeerAccess.matrix("hospital-b");
        assertThat(access.allows("hospital-a", "PACS_B", Service.FIND)).as("before any directory: nothing").isFalse();
        access.replace(MATRIX);
        assertThat(access.allows("hospital-a", "PACS_B", Service.FIND)).isTrue();
        assertThat(access.allows("hospital-a", "PACS_B", Service.ECHO)).isTrue();
        assertThat(access.allows("hospital-a", "PACS_B", Service.MOVE)).as("service level").isFalse();
        assertThat(access.allows("hospital-a", "OTHER_B", Service.FIND)).isFalse();
        assertThat(access.allows("hospital-c", "PACS_B", Service.FIND)).as("granted on hospital-x's PACS_B, not ours").isFalse();
    }

    @Test void theCacheRestoresTheGrantsAtTheNextStart() throws Exception {
        PeerAccess access = PeerAccess.matrix("hospital-b");
        access.replace(MATRIX);
        access.save(state.resolve("access.json"));
        PeerAccess restarted = PeerAccess.matrix("hospital-b");
        restarted.load(state.resolve("access.json"));
        assertThat(restarted.allows("hospital-a", "PACS_B", Service.FIND)).isTrue();
        assertThat(restarted.allows("hospital-a", "PACS_B", Service.STORE)).isFalse();
        assertThat(state.resolve("access.json")).content().doesNotContain("hospital-x");
    }

    @Test void anUnreadableCacheGrantsNothingAndDoesNotStopTheRouter() throws Exception {
        java.nio.file.Files.writeString(state.resolve("access.json"), "[{\"routerId\":\"hospital-a\"");
        PeerAccess access = PeerAccess.matrix("hospital-b");
        access.load(state.resolve("access.json"));
        assertThat(access.allows("hospital-a", "PACS_B", Service.FIND)).isFalse();
    }

    @Test void withoutABridgeTheExportListIsTheOnlyCheck() {
        assertThat(PeerAccess.exportsOnly().allows("anyone", "PACS_B", Service.STORE)).isTrue();
    }
}
