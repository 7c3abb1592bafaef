package org.dicomrelay.router;

import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.router.link.UploadJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The courier a deployed router uses wraps the cloud courier: it must refuse to send while the
 * Bridge refuses this router, and pass everything else on — a wrapper that swallowed the upload
 * journal or the withdrawal of abandoned payloads left orphaned blobs in the cloud.
 */
class AuthorizedCourierTest {
    private final List<String> calls = new ArrayList<>();
    private final Courier inner = new Courier() {
        @Override public void send(String to, LinkMessage message, PayloadWriter payload) { calls.add("send " + to); }

        @Override public void start(Listener listener) { calls.add("start"); }

        @Override public void recordUploadsIn(UploadJournal journal) { calls.add("journal"); }

        @Override public void abandon(String to, String operationId) { calls.add("abandon " + to + " " + operationId); }

        @Override public void close() { calls.add("close"); }
    };

    @Test void passesTheJournalAndTheWithdrawalOfAbandonedPayloadsOn(@TempDir Path dir) throws Exception {
        Authority authority = new Authority();
        try (Courier c = new AuthorizedCourier(inner, authority); UploadJournal journal = UploadJournal.open(dir, Duration.ofHours(1))) {
            c.recordUploadsIn(journal);
            c.send("hospital-b", new LinkMessage.EchoRq("op-1", "PACS_B", "WS_A"), null);
            c.abandon("hospital-b", "op-1");
        }
        assertThat(calls).containsExactly("journal", "send hospital-b", "abandon hospital-b op-1", "close");
    }

    @Test void sendsNothingWhileTheBridgeRefusesThisRouter() {
        Authority authority = new Authority();
        authority.refused("HTTP 401 from the Bridge");
        Courier c = new AuthorizedCourier(inner, authority);
        assertThatThrownBy(() -> c.send("hospital-b", new LinkMessage.EchoRq("op-2", "PACS_B", "WS_A"), null))
                .isInstanceOf(Authority.RevokedException.class);
        assertThat(calls).isEmpty();
    }
}
