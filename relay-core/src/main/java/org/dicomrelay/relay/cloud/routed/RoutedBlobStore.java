package org.dicomrelay.relay.cloud.routed;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dicomrelay.relay.cloud.BlobStore;

/**
 * Blobs written to the store their recipient reads, read from our own ({@code home}). A blob we
 * wrote elsewhere is deleted there (the sender gives up on it); one we did not write here (read
 * and consumed, or written before a restart) is deleted at home. A blob written elsewhere before a
 * restart and given up on after it is left to that store's own sweep, which its reader runs.
 */
final class RoutedBlobStore implements BlobStore {
    /** Blobs written to another store and not yet deleted by us: most are consumed there and never deleted by us, hence a bound. */
    private static final int REMEMBERED = 100_000;

    private final RoutedSettings settings;
    private final Map<String, BlobStore> stores;
    private final BlobStore home;
    private final Map<String, BlobStore> writtenElsewhere = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, BlobStore> eldest) {
            return size() > REMEMBERED;
        }
    };

    RoutedBlobStore(RoutedSettings settings, Map<String, BlobStore> stores) {
        this.settings = settings;
        this.stores = stores;
        this.home = stores.get(settings.home());
    }

    @Override
    public Upload create(String name, String recipientRouterId) throws IOException {
        BlobStore target = stores.get(settings.readerOf(recipientRouterId));
        if (target != home) {
            synchronized (writtenElsewhere) {
                writtenElsewhere.put(name, target);
            }
        }
        return target.create(name, recipientRouterId);
    }

    @Override
    public InputStream open(String name) throws IOException {
        return home.open(name);
    }

    /** Only when every store shows blobs while they are written: the sender notifies early for all recipients alike. */
    @Override
    public boolean readableWhileWriting() {
        return stores.values().stream().allMatch(BlobStore::readableWhileWriting);
    }

    @Override
    public void delete(String name) throws IOException {
        BlobStore where;
        synchronized (writtenElsewhere) {
            where = writtenElsewhere.remove(name);
        }
        (where != null ? where : home).delete(name);
    }

    /** Our own store only: each store is swept by the routers that read from it. */
    @Override
    public int sweepExpired(Duration maxAge) throws IOException {
        return home.sweepExpired(maxAge);
    }

    @Override
    public boolean sweepsExpired() {
        return home.sweepsExpired();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (BlobStore s : stores.values()) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
