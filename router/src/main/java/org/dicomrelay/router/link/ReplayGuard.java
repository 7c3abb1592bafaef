package org.dicomrelay.router.link;

import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.relay.bridge.RouterRecord;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;

/**
 * Refuses what a router has seen before or what is too old, per sending router: the highest
 * sequence number seen and which of the {@value #WINDOW} numbers below it were seen too. A
 * number already seen, one below the window, a sending time older than {@code maxAge} or more
 * than {@code maxSkew} ahead of our clock is refused; anything else is admitted and recorded
 * durably ({@code STATE/link/replay/SENDER}, forced) before {@link #admit} returns, so a frame
 * is handed to its handler at most once even across a crash or a re-delivered notification.
 * Gaps forward are admitted (a sender skips numbers after a restart). A batch (one inbox poll)
 * costs one forced write per sender that sent a request in it, not one per message.
 */
public final class ReplayGuard implements Closeable {
    /** Sequence numbers remembered below the highest one. */
    public static final int WINDOW = 1024;
    private static final int RECORD_BYTES = Long.BYTES + WINDOW / 8;

    /** Why a message was not admitted; each says what an operator reads in the log. */
    public enum Verdict {
        ADMITTED("admitted"),
        DUPLICATE("a replay: its sequence number was seen before"),
        BELOW_WINDOW("a replay or far out of order: its sequence number is more than " + WINDOW + " below the highest seen"),
        TOO_OLD("too old: sent longer ago than the maximum message age"),
        FROM_THE_FUTURE("dated in the future beyond the allowed clock skew"),
        /** Not refused, but its record could not be written: it must not run now (left for the inbox to deliver again). */
        NOT_RECORDED("not recorded as seen: the replay memory could not be written");

        private final String meaning;

        Verdict(String meaning) {
            this.meaning = meaning;
        }

        public String meaning() {
            return meaning;
        }
    }

    private final Path folder;
    private final Clock clock;
    private final long maxAgeMillis;
    private final long maxSkewMillis;
    private final Map<String, Seen> seen = new HashMap<>();

    /** @param folder where the memory of each sender is kept; null: in memory only (tests, tools) */
    public ReplayGuard(Path folder, Clock clock, Duration maxAge, Duration maxSkew) throws IOException {
        this.folder = folder == null ? null : OwnerOnly.folder(folder);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxAgeMillis = maxAge.toMillis();
        this.maxSkewMillis = maxSkew.toMillis();
    }

    /**
     * A message as its signed header describes it. {@code durable}: it must be on disk as seen
     * before it runs (a request); others (answers, which mean nothing once their operation is
     * over, as after a restart) are remembered in memory and written with the next durable one.
     */
    public record Message(String senderId, long sequence, long sentAtMillis, boolean durable) {}

    /** The verdicts of a batch, in its order, and why some were {@link Verdict#NOT_RECORDED} (null if none was). */
    public record Judged(List<Verdict> verdicts, IOException failure) {}

    /** {@link #admit(List)} for one durable message. */
    public Judged admit(String senderId, long sequence, long sentAtMillis) {
        return admit(List.of(new Message(senderId, sequence, sentAtMillis, true)));
    }

    /**
     * Admits (and records) or refuses each message, sent at {@code sentAtMillis} by its sender's
     * clock; a duplicate within the batch is refused too. Nothing is recorded for a refused
     * message. Admitted messages of a sender whose record cannot be written are
     * {@link Verdict#NOT_RECORDED} and stay unrecorded (in memory as on disk).
     */
    public synchronized Judged admit(List<Message> batch) {
        long now = clock.millis();
        Map<String, Seen> before = new LinkedHashMap<>();
        Set<String> durable = new HashSet<>();
        List<Verdict> verdicts = new ArrayList<>(batch.size());
        IOException failure = null;
        for (Message m : batch) {
            Verdict v;
            if (m.sentAtMillis() < now - maxAgeMillis) v = Verdict.TOO_OLD;
            else if (m.sentAtMillis() > now + maxSkewMillis) v = Verdict.FROM_THE_FUTURE;
            else {
                try {
                    Seen s = seen(m.senderId());
                    before.putIfAbsent(m.senderId(), s);
                    v = s.check(m.sequence());
                    if (v == Verdict.ADMITTED) {
                        seen.put(m.senderId(), s.with(m.sequence()));
                        if (m.durable()) durable.add(m.senderId());
                    }
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                    v = Verdict.NOT_RECORDED;
                }
            }
            verdicts.add(v);
        }
        Set<String> unrecorded = new HashSet<>();
        for (Map.Entry<String, Seen> e : before.entrySet()) {
            Seen latest = seen.get(e.getKey());
            if (latest == e.getValue() || !durable.contains(e.getKey())) continue; // nothing (durable) admitted from this sender
            try {
                latest.save();
            } catch (IOException ex) {
                failure = failure == null ? ex : failure;
                seen.put(e.getKey(), e.getValue()); // as on disk: what was not recorded was not seen
                unrecorded.add(e.getKey());
            }
        }
        if (!unrecorded.isEmpty()) {
            for (int i = 0; i < batch.size(); i++) {
                if (verdicts.get(i) == Verdict.ADMITTED && unrecorded.contains(batch.get(i).senderId())) verdicts.set(i, Verdict.NOT_RECORDED);
            }
        }
        return new Judged(List.copyOf(verdicts), failure);
    }

    private Seen seen(String senderId) throws IOException {
        Seen s = seen.get(senderId);
        if (s != null) return s;
        if (!RouterRecord.ROUTER_ID.matcher(senderId).matches()) throw new IllegalArgumentException("not a router id: " + senderId);
        DurableRecord r = folder == null ? DurableRecord.inMemory(RECORD_BYTES) : DurableRecord.open(folder.resolve(senderId), RECORD_BYTES);
        byte[] b = r.read();
        s = b == null ? new Seen(r, 0, new BitSet(WINDOW))
                : new Seen(r, ByteBuffer.wrap(b).getLong(), BitSet.valueOf(ByteBuffer.wrap(b, Long.BYTES, b.length - Long.BYTES)));
        seen.put(senderId, s);
        return s;
    }

    @Override
    public synchronized void close() throws IOException {
        for (Seen s : seen.values()) s.record.close();
        seen.clear();
    }

    /** The highest number seen (0: none yet) and bit i = "highest - i was seen". Immutable: a failed save changes nothing. */
    private record Seen(DurableRecord record, long highest, BitSet window) {
        Verdict check(long sequence) {
            if (highest == 0 || sequence > highest) return Verdict.ADMITTED;
            long below = highest - sequence;
            if (below >= WINDOW) return Verdict.BELOW_WINDOW;
            return window.get((int) below) ? Verdict.DUPLICATE : Verdict.ADMITTED;
        }

        Seen with(long sequence) {
            BitSet w = new BitSet(WINDOW);
            if (highest != 0 && sequence <= highest) {
                w.or(window);
                w.set((int) (highest - sequence));
                return new Seen(record, highest, w);
            }
            long shift = highest == 0 ? WINDOW : sequence - highest;
            if (shift < WINDOW) {
                for (int i = window.nextSetBit(0); i >= 0 && i + shift < WINDOW; i = window.nextSetBit(i + 1)) w.set((int) (i + shift));
            }
            w.set(0);
            return new Seen(record, sequence, w);
        }

        void save() throws IOException {
            ByteBuffer b = ByteBuffer.allocate(RECORD_BYTES).putLong(highest);
            byte[] bits = window.toByteArray();
            b.put(bits, 0, Math.min(bits.length, WINDOW / 8));
            record.write(b.array());
        }
    }
}
