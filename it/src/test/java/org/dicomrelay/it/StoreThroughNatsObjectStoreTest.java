package org.dicomrelay.it;

import io.nats.client.JetStreamManagement;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.StreamInfoOptions;

/**
 * {@link StoreThroughNatsTest} with the blobs in NATS too ({@code blobs: nats}: an Object Store
 * bucket): a relay on nothing but the Bridge's directory and one nats-server. Afterwards the bucket
 * holds no live object and no chunk, and is removed with the inbox stream.
 */
class StoreThroughNatsObjectStoreTest extends StoreThroughNatsTest {
    private static final String BUCKET = "dicomrelay-blobs";

    @Override
    String blobs() {
        return "nats";
    }

    @Override
    long blobsLeft() throws Exception {
        long live = 0;
        for (ObjectInfo o : admin().objectStore(BUCKET).getList()) if (!o.isDeleted()) live++;
        var subjects = admin().jetStreamManagement().getStreamInfo("OBJ_" + BUCKET, StreamInfoOptions.filterSubjects("$O." + BUCKET + ".C.>"))
                .getStreamState().getSubjects();
        return live + (subjects == null ? 0 : subjects.stream().mapToLong(s -> s.getCount()).sum());
    }

    @Override
    void removeBlobStore(JetStreamManagement jsm) throws Exception {
        admin().objectStoreManagement().delete(BUCKET);
    }
}
