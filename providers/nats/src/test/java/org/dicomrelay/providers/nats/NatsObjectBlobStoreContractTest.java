package org.dicomrelay.providers.nats;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.ObjectStore;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.Subject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dicomrelay.providers.emulators.NatsServer;
import org.dicomrelay.providers.tck.BlobStoreContract;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Cloud IO blob contract for provider "nats" with {@code blobs: nats} (a NATS Object Store
 * bucket) against Debian's nats-server. Leftovers are live objects and any chunk messages still in
 * the bucket's stream (an upload's chunks before its meta, or a cut one's).
 */
class NatsObjectBlobStoreContractTest extends BlobStoreContract {
    private static final String BUCKET = "tck-blobs";
    private static final int CHUNK = 128 * 1024; // jnats's default chunk size
    private static NatsServer nats;
    private static Connection admin;

    @BeforeAll
    static void startNats() throws Exception {
        Assumptions.assumeTrue(NatsServer.binary().isPresent(), NatsServer.ABSENT);
        nats = new NatsServer();
        admin = Nats.connect(nats.url().toString());
    }

    @AfterAll
    static void stopNats() throws Exception {
        if (admin != null) admin.close();
        if (nats != null) nats.close();
    }

    private static Map<String, String> settings(String url) {
        Map<String, String> s = new HashMap<>();
        s.put(NatsProvider.BLOBS, "nats");
        s.put(NatsSettings.URL, url);
        s.put(NatsObjectBlobStore.BUCKET, BUCKET);
        return s;
    }

    @Override
    protected BlobStore openStore() throws Exception {
        return CloudProvider.named("nats").blobStore(settings(nats.url().toString()));
    }

    @Override
    protected int partBytes() {
        return CHUNK;
    }

    @Override
    protected Set<String> leftovers() throws Exception {
        Set<String> left = new TreeSet<>();
        if (!admin.objectStoreManagement().getBucketNames().contains(BUCKET)) return left;
        ObjectStore os = admin.objectStore(BUCKET);
        for (ObjectInfo o : os.getList()) if (!o.isDeleted()) left.add(o.getObjectName());
        String chunks = "$O." + BUCKET + ".C.>";
        var state = admin.jetStreamManagement().getStreamInfo("OBJ_" + BUCKET, StreamInfoOptions.filterSubjects(chunks)).getStreamState();
        if (state.getSubjects() != null) for (Subject s : state.getSubjects()) if (s.getCount() > 0) left.add(s.getName() + " x" + s.getCount());
        return left;
    }

    @Override
    protected BlobStore openUnreachableStore() throws Exception {
        return CloudProvider.named("nats").blobStore(settings("nats://127.0.0.1:1"));
    }
}
