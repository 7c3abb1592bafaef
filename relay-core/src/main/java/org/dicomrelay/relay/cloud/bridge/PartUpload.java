package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.bridge.BridgeUnreachableException;
import org.dicomrelay.relay.cloud.BlobPart;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An upload to the Bridge in parts, up to {@code partsInFlight} of them sent at once (memory: that
 * many part buffers plus the one filling). Bytes collect in a buffer (grown as needed up to the part
 * size, so a small blob costs little memory); a full buffer is sent as the next part only when more
 * bytes follow, so that {@link #close()} always sends a last part, which completes the blob. Part 0
 * goes alone (it creates the blob at the Bridge); once it is stored the recipient can open the blob
 * and the {@link #whenReadable} action runs, on the writing thread. A part that got no answer (a
 * connection cut) is sent again; any other failure fails the upload: the caller aborts, which
 * deletes what the Bridge holds.
 */
final class PartUpload extends BlobStore.Upload {
    private static final int INITIAL_BUFFER = 64 * 1024;
    /**
     * Part 0 of an upload the recipient reads while it is written ({@link #whenReadable}) is at most this large: the
     * recipient opens the blob once part 0 is stored, and reads the parts after it as they are written. Other uploads
     * (a bundle, published once complete) keep whole parts: part 0 goes alone, so a small one would cost a round trip.
     */
    static final int FIRST_PART_BYTES = 1024 * 1024;
    /** Sends of one part when the Bridge gives no answer (the Bridge answers a part already stored again, harmlessly). */
    private static final int ATTEMPTS = 3;
    /** How long an abort waits for the parts in flight before deleting (a late part 0 would create the blob again). */
    private static final long ABORT_WAIT_SECONDS = 30;
    private static final System.Logger LOG = System.getLogger(PartUpload.class.getName());

    /** A part sent, and its answer to come. */
    private record Sent(BlobPart part, CompletableFuture<Void> answer) {}

    private final BridgeTransport bridge;
    private final String name;
    private final String recipient;
    private final int partBytes;
    private final int partsInFlight;
    /** Oldest first: the Bridge stores parts in order, so answers come in order. */
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    /** Full-size buffers of answered parts, for the next ones. */
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private byte[] buffer;
    private int count;
    private int nextPart;
    private long offset;
    /** Whether part 0 is stored: the recipient can open the blob. */
    private boolean readable;
    private Runnable whenReadable;
    /** Whether a part was sent (or tried): then the Bridge may hold something to delete. */
    private boolean touched;
    private boolean done;
    /** The failure of a part: the upload is over, only {@link #abort()} is left. */
    private IOException failed;

    PartUpload(BridgeTransport bridge, String name, String recipient, int partBytes, int partsInFlight) {
        this.bridge = bridge;
        this.name = name;
        this.recipient = recipient;
        this.partBytes = partBytes;
        this.partsInFlight = partsInFlight;
        this.buffer = new byte[Math.min(INITIAL_BUFFER, partBytes)];
    }

    @Override
    public void whenReadable(Runnable action) {
        whenReadable = action;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (!readable && !sent.isEmpty() && sent.peek().answer().isDone()) collectAnswered();
        while (len > 0) {
            if (count == partLimit()) sendPart(false); // more bytes follow: this part is not the last
            if (buffer == null) buffer = spare.isEmpty() ? new byte[partLimit()] : spare.poll();
            if (count == buffer.length) buffer = Arrays.copyOf(buffer, (int) Math.min(partLimit(), 2L * buffer.length));
            int n = Math.min(len, buffer.length - count);
            System.arraycopy(b, off, buffer, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    /** The size of the part being filled. */
    private int partLimit() {
        return nextPart == 0 && whenReadable != null ? Math.min(partBytes, FIRST_PART_BYTES) : partBytes;
    }

    /** Sends the last part and waits for every answer: the blob is complete at the Bridge. */
    @Override
    public void close() throws IOException {
        if (done) return;
        ensureOpen();
        if (buffer == null) buffer = new byte[0];
        sendPart(true);
        while (!sent.isEmpty()) awaitOldest();
        done = true;
        buffer = null;
        spare.clear();
    }

    /** Deletes what the Bridge holds of this upload; a failure is logged (the Bridge expires incomplete uploads anyway). */
    @Override
    public void abort() {
        if (done) return;
        done = true;
        buffer = null;
        spare.clear();
        if (!touched) return; // nothing sent
        try {
            // A part still in flight would be stored after the delete (part 0 would even create the blob again).
            CompletableFuture.allOf(sent.stream().map(Sent::answer).toArray(CompletableFuture[]::new))
                    .get(ABORT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException ignored) {
            // a failed part: nothing more will come of it
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "parts of an aborted upload still unanswered after " + ABORT_WAIT_SECONDS
                    + " s; deleting it now (what arrives later expires at the Bridge)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sent.clear();
        try {
            bridge.deleteBlob(name);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete an aborted upload at the Bridge (it expires there): " + FailureText.of(e));
        }
    }

    private void sendPart(boolean last) throws IOException {
        // Part 0 goes alone; then at most partsInFlight at once.
        while (!sent.isEmpty() && (!readable || sent.size() >= partsInFlight)) awaitOldest();
        collectAnswered();
        BlobPart part = new BlobPart(name, recipient, nextPart, offset, buffer, count, last);
        touched = true;
        sent.add(new Sent(part, send(part, 1)));
        nextPart++;
        offset += count;
        count = 0;
        buffer = null; // the part owns it until answered
    }

    private CompletableFuture<Void> send(BlobPart part, int attempt) {
        CompletableFuture<Void> answer;
        try {
            answer = bridge.putBlobPart(part);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return answer.exceptionallyCompose(e -> {
            Throwable cause = unwrap(e);
            if (cause instanceof BridgeUnreachableException && attempt < ATTEMPTS && !done) {
                LOG.log(System.Logger.Level.INFO, "part " + part.index() + " of an upload got no answer from the Bridge, sending it again: "
                        + FailureText.of(cause));
                return send(part, attempt + 1);
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** Takes the answers already in, and runs the readable action once part 0 is stored. */
    private void collectAnswered() throws IOException {
        while (!sent.isEmpty() && sent.peek().answer().isDone()) awaitOldest();
    }

    private void awaitOldest() throws IOException {
        Sent s = sent.peek();
        try {
            s.answer().get();
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            failed = cause instanceof IOException io ? io
                    : new IOException("part " + s.part().index() + " of the upload failed: " + FailureText.of(cause), cause);
            throw failed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while uploading a blob to the Bridge");
        }
        sent.poll();
        if (s.part().data().length == partBytes && !s.part().last()) spare.add(s.part().data());
        if (!readable) {
            readable = true;
            Runnable action = whenReadable;
            whenReadable = null;
            if (action != null) action.run();
        }
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) e = e.getCause();
        return e;
    }

    private void ensureOpen() throws IOException {
        if (done) throw new IOException("upload already closed or aborted");
        if (failed != null) throw new IOException("the upload failed: " + FailureText.of(failed), failed);
    }
}
