package org.dicomrelay.it;

import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.fs.FileSystemProvider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Cloud IO provider "recorded-filesystem": the "filesystem" provider unchanged, plus a copy of
 * everything a router hands to the cloud: each blob's name and bytes as written, each
 * notification as published. Blobs and notifications are deleted once consumed, so scanning
 * the cloud folder afterwards would see almost nothing; this sees every one of them.
 * Routers are assigned it at the Bridge like any provider; a network registers a
 * {@link Recording} for its cloud folder to have it recorded.
 */
public final class RecordingCloudProvider implements CloudProvider {
    static final String NAME = "recorded-filesystem";
    private static final Map<Path, Recording> RECORDINGS = new ConcurrentHashMap<>();
    private final FileSystemProvider fs = new FileSystemProvider();

    /** What went into one cloud folder. */
    static final class Recording {
        final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
        final List<byte[]> notifications = new CopyOnWriteArrayList<>();
        /** Routers whose acknowledgements fail (the notification stays and comes back after the visibility timeout). */
        final java.util.Set<String> failAcksOf = ConcurrentHashMap.newKeySet();
        /** Failed acknowledgements per notification (its content: each delivery has an id of its own). */
        final Map<String, Integer> failedAcks = new ConcurrentHashMap<>();
        /** Notifications acknowledged, per acknowledging router: what it has taken from its inbox. */
        final Map<String, java.util.concurrent.atomic.AtomicInteger> acks = new ConcurrentHashMap<>();
        /** An upload that reaches this many bytes waits there, mid-way, until {@link #releaseUploads()} (a slow link). */
        volatile long holdUploadsAt = Long.MAX_VALUE;
        private final java.util.concurrent.CountDownLatch uploadsReleased = new java.util.concurrent.CountDownLatch(1);
        /** Uploads waiting mid-way now. */
        final java.util.concurrent.atomic.AtomicInteger uploadsHeld = new java.util.concurrent.atomic.AtomicInteger();

        void releaseUploads() {
            uploadsReleased.countDown();
        }

        private void holdIfPast(long written) throws IOException {
            if (written < holdUploadsAt || uploadsReleased.getCount() == 0) return;
            uploadsHeld.incrementAndGet();
            try {
                if (!uploadsReleased.await(3, java.util.concurrent.TimeUnit.MINUTES)) throw new IOException("upload held for 3 minutes (test)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while held (test)", e);
            } finally {
                uploadsHeld.decrementAndGet();
            }
        }
    }

    static Recording record(Path root) {
        return RECORDINGS.computeIfAbsent(root.toAbsolutePath().normalize(), r -> new Recording());
    }

    static void forget(Path root) {
        RECORDINGS.remove(root.toAbsolutePath().normalize());
    }

    @Override public String name() {
        return NAME;
    }

    private static Recording recording(Map<String, String> settings) {
        String root = settings.get(FileSystemProvider.ROOT);
        return root == null ? null : RECORDINGS.get(Path.of(root).toAbsolutePath().normalize());
    }

    @Override public BlobStore blobStore(Map<String, String> settings) throws IOException {
        BlobStore delegate = fs.blobStore(settings);
        Recording rec = recording(settings);
        if (rec == null) return delegate;
        return new BlobStore() {
            @Override public Upload create(String name, String recipientRouterId) throws IOException {
                Upload up = delegate.create(name, recipientRouterId);
                ByteArrayOutputStream copy = new ByteArrayOutputStream();
                return new Upload() {
                    @Override public void write(int b) throws IOException {
                        up.write(b);
                        copy.write(b);
                    }

                    @Override public void write(byte[] b, int off, int len) throws IOException {
                        rec.holdIfPast(copy.size() + (long) len);
                        up.write(b, off, len);
                        copy.write(b, off, len);
                    }

                    @Override public void close() throws IOException {
                        up.close();
                        rec.blobs.put(name, copy.toByteArray());
                    }

                    @Override public void abort() {
                        up.abort();
                    }
                };
            }

            @Override public InputStream open(String name) throws IOException {
                return delegate.open(name);
            }

            @Override public void delete(String name) throws IOException {
                delegate.delete(name);
            }

            @Override public void close() throws IOException {
                delegate.close();
            }
        };
    }

    @Override public Notifications notifications(Map<String, String> settings, String routerId, BridgeTransport bridge) throws IOException {
        Notifications delegate = fs.notifications(settings, routerId, bridge);
        Recording rec = recording(settings);
        if (rec == null) return delegate;
        return new Notifications() {
            @Override public void publish(String recipientRouterId, byte[] message) throws IOException {
                rec.notifications.add(message.clone());
                delegate.publish(recipientRouterId, message);
            }

            @Override public List<Notification> poll(Duration timeout) throws IOException {
                return delegate.poll(timeout);
            }

            @Override public void ack(Notification n) throws IOException {
                if (rec.failAcksOf.contains(routerId)) {
                    // Per message, not per id: each delivery of a notification has an id of its own.
                    rec.failedAcks.merge(java.util.Arrays.hashCode(n.payload()) + "/" + n.payload().length, 1, Integer::sum);
                    throw new IOException("the acknowledgement of notification " + n.id() + " was lost (test)");
                }
                delegate.ack(n);
                rec.acks.computeIfAbsent(routerId, r -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
            }

            @Override public void close() throws IOException {
                delegate.close();
            }
        };
    }
}
