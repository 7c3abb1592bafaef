package org.dicomrelay.router;

import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkMessage;

import java.io.IOException;

/**
 * A courier that sends nothing while the router's credentials are refused: every send fails at
 * once and says why, instead of uploading a blob and knocking at the Bridge for a 401 each time.
 * Receiving is unchanged.
 */
final class AuthorizedCourier implements Courier {
    private final Courier courier;
    private final Authority authority;

    AuthorizedCourier(Courier courier, Authority authority) {
        this.courier = courier;
        this.authority = authority;
    }

    @Override public void send(String toRouterId, LinkMessage message, PayloadWriter payload) throws IOException {
        authority.check();
        courier.send(toRouterId, message, payload);
    }

    @Override public java.util.concurrent.CompletionStage<Void> sendStore(String toRouterId, LinkMessage.StoreRq message, long size,
                                                                          PayloadWriter payload) throws IOException {
        authority.check();
        return courier.sendStore(toRouterId, message, size, payload);
    }

    @Override public void recordUploadsIn(org.dicomrelay.router.link.UploadJournal journal) {
        courier.recordUploadsIn(journal);
    }

    @Override public void abandon(String toRouterId, String operationId) {
        courier.abandon(toRouterId, operationId);
    }

    @Override public org.dicomrelay.router.link.CloudReach cloudReach() {
        return courier.cloudReach();
    }

    @Override public void start(Listener listener) {
        courier.start(listener);
    }

    @Override public void close() throws IOException {
        courier.close();
    }
}
