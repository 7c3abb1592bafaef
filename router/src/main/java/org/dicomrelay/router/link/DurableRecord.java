package org.dicomrelay.router.link;

import org.dicomrelay.dicom.io.OwnerOnly;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * A small record kept on disk that every {@link #write} makes durable (forced) before it
 * returns, and that a crash mid-write never loses: two slots written in turn, each with a
 * generation and a CRC, and the newest intact one is read back. One write is one forced
 * write of a few hundred bytes in place (no rename, no folder sync), cheap enough for every frame.
 * The file is 0600 from its creation.
 */
final class DurableRecord implements Closeable {
    private static final int OVERHEAD = 8 + 4 + 4; // generation, length, CRC
    /** null: kept in memory only ({@link #inMemory}). */
    private final FileChannel channel;
    private final int slotSize;
    private long generation;
    private byte[] memory;

    private DurableRecord(FileChannel channel, int maxBytes, long generation) {
        this.channel = channel;
        this.slotSize = maxBytes + OVERHEAD;
        this.generation = generation;
    }

    /** Opens (creating if missing) the record in {@code file}, holding at most {@code maxBytes}. */
    static DurableRecord open(Path file, int maxBytes) throws IOException {
        FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                OwnerOnly.fileAttributes(file));
        DurableRecord r = new DurableRecord(ch, maxBytes, 0);
        Slot s = r.newest();
        r.generation = s == null ? 0 : s.generation;
        return r;
    }

    /** A record that lasts as long as this object (a courier without a state folder: tests, tools). */
    static DurableRecord inMemory(int maxBytes) {
        return new DurableRecord(null, maxBytes, 0);
    }

    /** The last record written, or null if none was. */
    synchronized byte[] read() throws IOException {
        if (channel == null) return memory == null ? null : memory.clone();
        Slot s = newest();
        return s == null ? null : s.data;
    }

    synchronized void write(byte[] data) throws IOException {
        if (data.length > slotSize - OVERHEAD) throw new IllegalArgumentException("record of " + data.length + " bytes is too large");
        if (channel == null) {
            memory = data.clone();
            return;
        }
        long g = generation + 1;
        ByteBuffer b = ByteBuffer.allocate(slotSize);
        b.putLong(g).putInt(data.length).put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, 12 + data.length);
        b.putInt((int) crc.getValue());
        b.flip();
        long at = (g & 1) * slotSize;
        while (b.hasRemaining()) at += channel.write(b, at);
        channel.force(false);
        generation = g;
    }

    private Slot newest() throws IOException {
        Slot a = slot(0), b = slot(1);
        if (a == null) return b;
        if (b == null) return a;
        return a.generation > b.generation ? a : b;
    }

    private Slot slot(int i) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(slotSize);
        long at = (long) i * slotSize;
        while (b.hasRemaining()) {
            int n = channel.read(b, at + b.position());
            if (n < 0) return null; // never written
        }
        b.flip();
        long g = b.getLong();
        int len = b.getInt();
        if (g < 1 || len < 0 || len > slotSize - OVERHEAD) return null;
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, 12 + len);
        if (b.getInt(12 + len) != (int) crc.getValue()) return null; // torn by a crash: the other slot holds the previous record
        byte[] data = new byte[len];
        b.get(12, data);
        return new Slot(g, data);
    }

    private record Slot(long generation, byte[] data) {}

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) channel.close();
    }
}
