package org.dicomrelay.router.link;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.crypto.Envelope;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Frames through Cloud IO, sealed end to end: the frame itself, encrypted for the recipient,
 * is the notification; a payload goes to a blob with a random name, sealed the same way, and
 * the frame names the blob. The cloud sees random names and ciphertext only.
 */
public final class CloudCourier implements Courier {
    private static final System.Logger LOG = System.getLogger(CloudCourier.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FRAME = "frame";
    static final String PAYLOAD = "payload";

    private final String routerId;
    private final RouterKeys keys;
    private final Function<String, PublicKeys> directory;
    private final BlobStore blobs;
    private final Notifications inbox;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "courier-worker");
        t.setDaemon(true);
        return t;
    });
    private final KeyedExecutor ordered = new KeyedExecutor(pool);
    private volatile boolean closed;
    private Thread poller;

    public CloudCourier(String routerId, RouterKeys keys, Function<String, PublicKeys> directory, BlobStore blobs, Notifications inbox) {
        this.routerId = routerId;
        this.keys = keys;
        this.directory = directory;
        this.blobs = blobs;
        this.inbox = inbox;
    }

    @Override public void send(String toRouterId, Frame frame, PayloadWriter payload) throws IOException {
        PublicKeys recipient = directory.apply(toRouterId);
        if (recipient == null) throw new IOException("no public keys for router " + toRouterId + " in the directory");
        if (payload != null) {
            String name = BlobNames.random();
            BlobStore.Upload up = blobs.create(name);
            // Not try-with-resources: closing publishes the blob, and a failed write must never be published.
            try {
                OutputStream sealed = Envelope.seal(up, keys, routerId, recipient, PAYLOAD, name);
                payload.writeTo(sealed);
                sealed.close();
            } catch (IOException | RuntimeException e) {
                up.abort();
                throw e;
            }
            frame = new Frame(frame.type(), frame.operationId(), frame.fields()).with("blob", name);
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream sealed = Envelope.sealSmall(bos, keys, routerId, recipient, FRAME, BlobNames.random())) {
            JSON.writeValue(sealed, new Wire(frame.type().name(), frame.operationId(), frame.fields()));
        }
        inbox.publish(toRouterId, bos.toByteArray());
    }

    /** The frame as it is serialised inside its envelope. */
    record Wire(String type, String operationId, java.util.Map<String, Object> fields) {}

    @Override public synchronized void start(Listener listener) {
        if (poller != null) throw new IllegalStateException("already started");
        poller = new Thread(() -> pollLoop(listener), "courier-" + routerId);
        poller.setDaemon(true);
        poller.start();
    }

    private void pollLoop(Listener listener) {
        while (!closed) {
            List<Notifications.Notification> batch;
            try {
                batch = inbox.poll(Duration.ofSeconds(20));
            } catch (IOException e) {
                if (closed) return;
                LOG.log(System.Logger.Level.WARNING, "inbox poll failed, retrying: " + e.getMessage());
                try {
                    Thread.sleep(1000); // back off from a failing inbox (not a synchronisation)
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            for (Notifications.Notification n : batch) receive(n, listener);
        }
    }

    private void receive(Notifications.Notification n, Listener listener) {
        Envelope.Opened opened;
        Frame frame;
        try {
            opened = Envelope.open(new ByteArrayInputStream(n.payload()), keys, routerId, directory);
            if (!FRAME.equals(opened.contentType())) throw new IOException("unexpected content type " + opened.contentType());
            // Read to the end first: the envelope detects truncation only there.
            Wire w = JSON.readValue(opened.plaintext().readAllBytes(), Wire.class);
            frame = new Frame(Frame.Type.valueOf(w.type()), w.operationId(), w.fields() == null ? java.util.Map.of() : w.fields());
        } catch (IOException | IllegalArgumentException e) {
            // Anything we cannot authenticate is dropped, never delivered.
            LOG.log(System.Logger.Level.WARNING, "rejected a message in the inbox: " + e.getMessage());
            ack(n);
            return;
        }
        String from = opened.senderId();
        Frame f = frame;
        // Acknowledged once authenticated, before it runs: a C-MOVE may take longer than the inbox's
        // visibility timeout, and must not be delivered (and run) again. The requesting router owns
        // retries (its spool, its timeouts), so a frame lost in a crash here is not lost for good.
        ack(n);
        Runnable task = () -> {
            String blob = f.string("blob");
            try {
                if (blob == null) {
                    listener.onFrame(from, f, null);
                } else {
                    try (InputStream raw = blobs.open(blob)) {
                        InputStream plaintext;
                        try {
                            Envelope.Opened p = Envelope.open(raw, keys, routerId, directory);
                            if (!PAYLOAD.equals(p.contentType()) || !p.senderId().equals(from) || !blob.equals(p.messageId())) {
                                throw new IOException("payload blob " + blob + " does not belong to its frame");
                            }
                            plaintext = p.plaintext();
                        } catch (IOException rejected) {
                            // The frame is authentic but its payload is not: the handler sees the error on its
                            // first read and answers with a failure, so the sender learns of it at once.
                            LOG.log(System.Logger.Level.WARNING, "rejected payload of " + f.type() + " from " + from + ": " + rejected.getMessage());
                            plaintext = failing(rejected);
                        }
                        listener.onFrame(from, f, plaintext);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "frame " + f.type() + " of operation " + f.operationId() + " from " + from
                        + " failed: " + e.getMessage());
            } finally {
                if (blob != null) deleteQuietly(blob);
            }
        };
        // Frames of one operation run in order, one after another; a CANCEL must overtake them, or it
        // would wait behind the very C-FIND/C-MOVE it cancels (which runs until the PACS is done).
        if (f.type() == Frame.Type.CANCEL) pool.execute(task);
        else ordered.execute(f.operationId(), task);
    }

    private static InputStream failing(IOException e) {
        return new InputStream() {
            @Override public int read() throws IOException {
                throw new IOException(e.getMessage(), e);
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                throw new IOException(e.getMessage(), e);
            }
        };
    }

    private void deleteQuietly(String blob) {
        try {
            blobs.delete(blob);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete a consumed blob: " + e.getMessage());
        }
    }

    private void ack(Notifications.Notification n) {
        try {
            inbox.ack(n);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not acknowledge a notification: " + e.getMessage());
        }
    }

    @Override public void close() throws IOException {
        closed = true;
        if (poller != null) poller.interrupt();
        pool.shutdownNow();
        inbox.close();
        blobs.close();
    }
}
