package org.dicomrelay.dicom.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A value left where it is: {@code length} bytes at {@code offset} in {@code file}, in the byte
 * order given, so that large values are copied as streams and never held in memory.
 */
public record BulkData(Path file, long offset, long length, boolean bigEndian) {

    public InputStream openStream() throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(offset);
        return new BoundedInputStream(Channels.newInputStream(ch), length);
    }

    public byte[] readAll() throws IOException {
        if (length > Integer.MAX_VALUE - 16) throw new IOException("bulk data of " + length + " bytes is too large for memory");
        try (InputStream in = openStream()) {
            byte[] b = in.readNBytes((int) length);
            if (b.length != length) throw new IOException("bulk data truncated: " + file + " at " + offset);
            return b;
        }
    }

    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override public int read() throws IOException {
            if (left <= 0) return -1;
            int b = in.read();
            if (b >= 0) left--;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }

        @Override public void close() throws IOException { in.close(); }
    }
}
