package org.dicomrelay.router.link;

import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.relay.bridge.RouterRecord;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The sequence numbers this router stamps on what it sends, one strictly increasing series per
 * recipient, across restarts: numbers are reserved in blocks in {@code STATE/link/sequence/RECIPIENT}
 * (one forced write per block, not per message), and a restart continues after the last
 * reserved block, skipping the numbers it did not use (the recipient accepts gaps forward).
 *
 * <p>A series never starts below {@code now in ms × 1024}: a router whose state folder was lost
 * (restored from an old backup, reinstalled) still sends numbers above those it sent before, as
 * long as it sent fewer than 1024 messages per millisecond on average, so its peers do not refuse
 * it as a replayer.
 */
public final class SequenceCounter implements Closeable {
    static final int BLOCK = 256;
    private final Path folder;
    private final Clock clock;
    private final Map<String, Series> series = new HashMap<>();

    /** @param folder where the reservations are kept; null: in memory only (tests, tools) */
    public SequenceCounter(Path folder, Clock clock) throws IOException {
        this.folder = folder == null ? null : OwnerOnly.folder(folder);
        this.clock = clock;
    }

    /** The next number for {@code recipientId}; reserves (durably) a new block when the current one is used up. */
    public synchronized long next(String recipientId) throws IOException {
        if (!RouterRecord.ROUTER_ID.matcher(recipientId).matches()) throw new IllegalArgumentException("not a router id: " + recipientId);
        Series s = series.get(recipientId);
        if (s == null) {
            DurableRecord r = folder == null ? DurableRecord.inMemory(Long.BYTES) : DurableRecord.open(folder.resolve(recipientId), Long.BYTES);
            byte[] reserved = r.read();
            long start = Math.max(reserved == null ? 1 : ByteBuffer.wrap(reserved).getLong(), Math.multiplyExact(clock.millis(), 1024L));
            s = new Series(r, start, start);
            series.put(recipientId, s);
        }
        if (s.next == s.limit) {
            long limit = s.next + BLOCK;
            s.record.write(ByteBuffer.allocate(Long.BYTES).putLong(limit).array());
            s.limit = limit; // only once durable: a failed write hands out nothing unreserved
        }
        return s.next++;
    }

    @Override
    public synchronized void close() throws IOException {
        for (Series s : series.values()) s.record.close();
        series.clear();
    }

    private static final class Series {
        final DurableRecord record;
        long next;
        long limit;

        Series(DurableRecord record, long next, long limit) {
            this.record = record;
            this.next = next;
            this.limit = limit;
        }
    }
}
