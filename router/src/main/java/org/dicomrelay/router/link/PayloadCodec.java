package org.dicomrelay.router.link;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.relay.io.Copy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * How a data set payload is compressed before it is sealed (ciphertext does not compress); the
 * codec travels in the authenticated frame ({@link LinkMessage.StoreRq#compression()}). Chosen by
 * measurement on CT/MR pixel data (README, "Compression per route"): {@link #ZSTD} (level 3,
 * zstd's default) has Deflate's ratio for a third of its CPU; {@link #DEFLATE} (the JDK's, level
 * 1) needs no native library.
 */
public enum PayloadCodec {
    NONE("none"),
    ZSTD("zstd"),
    DEFLATE("deflate");

    private static final int ZSTD_LEVEL = 3;
    /**
     * The largest zstd window a decoder accepts (log2: 4 MiB; level 3 uses at most 2 MiB): a sender
     * cannot make this router allocate zstd's 128 MiB maximum per payload.
     */
    private static final int ZSTD_WINDOW_LOG_MAX = 22;
    private static final int DEFLATE_LEVEL = Deflater.BEST_SPEED;
    private static final int BUFFER = 64 * 1024;

    private final String wireName;

    PayloadCodec(String wireName) {
        this.wireName = wireName;
    }

    /** Its name in router.yaml and in frames. */
    @JsonValue public String wireName() {
        return wireName;
    }

    /** The codec of that name; an unknown name is refused with the names there are. */
    @JsonCreator public static PayloadCodec of(String name) {
        for (PayloadCodec c : values()) if (c.wireName.equals(name)) return c;
        throw new IllegalArgumentException("unknown compression '" + name + "' (known: " + known() + ")");
    }

    static String known() {
        return Arrays.stream(values()).map(PayloadCodec::wireName).collect(Collectors.joining(", "));
    }

    /**
     * This codec for a data set in {@code ts}, or {@link #NONE}: only the native uncompressed syntaxes
     * are worth it; encapsulated pixel data (JPEG, JPEG-LS, JPEG 2000, RLE, MPEG...) and Deflated
     * Explicit VR Little Endian are compressed already.
     */
    public PayloadCodec forSyntax(TransferSyntax ts) {
        return ts.isUncompressed() && !ts.deflated() ? this : NONE;
    }

    /** Writes the file into {@code out}, compressed with this codec; {@code out} stays open. */
    public void copy(Path file, OutputStream out) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            copy(in, out);
        }
    }

    /** Writes what {@code in} holds into {@code out}, compressed with this codec; {@code out} stays open. */
    public void copy(InputStream in, OutputStream out) throws IOException {
        if (this == NONE) {
            Copy.of(in, out);
            return;
        }
        try (OutputStream enc = encoder(new FilterOutputStream(out) {
            @Override public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override public void close() throws IOException {
                flush(); // the payload stream is the courier's to close
            }
        })) {
            Copy.of(in, enc);
        }
    }

    private OutputStream encoder(OutputStream out) throws IOException {
        return switch (this) {
            case NONE -> out;
            case ZSTD -> {
                try {
                    yield new ZstdOutputStreamNoFinalizer(out, ZSTD_LEVEL).setChecksum(true);
                } catch (LinkageError e) {
                    throw unavailable(e);
                }
            }
            case DEFLATE -> {
                Deflater deflater = new Deflater(DEFLATE_LEVEL);
                yield new DeflaterOutputStream(out, deflater, BUFFER) {
                    @Override public void close() throws IOException {
                        try {
                            super.close();
                        } finally {
                            deflater.end();
                        }
                    }
                };
            }
        };
    }

    /**
     * The payload {@code in} decompressed, failing once more than {@code maxBytes} came out of it
     * (a decompression bomb is refused like an oversized payload, {@link PayloadTooLargeException}).
     * A stream that does not decode fails with {@link CorruptPayloadException}; a failure of
     * {@code in} itself (authentication, the cloud) passes as it is. Closing it releases the
     * codec's memory, not {@code in}, which stays its owner's.
     */
    public InputStream decoder(InputStream in, long maxBytes, String what) throws IOException {
        if (this == NONE) return new PayloadDecoder.Source(in); // bounded by the courier already
        PayloadDecoder.Source source = new PayloadDecoder.Source(in);
        InputStream d = switch (this) {
            case NONE -> throw new AssertionError();
            case ZSTD -> {
                try {
                    yield new ZstdInputStreamNoFinalizer(source).setLongMax(ZSTD_WINDOW_LOG_MAX);
                } catch (LinkageError e) {
                    throw unavailable(e);
                }
            }
            case DEFLATE -> {
                Inflater inflater = new Inflater();
                yield new InflaterInputStream(source, inflater, BUFFER) {
                    @Override public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n < 0 && inflater.getRemaining() > 0) throw new java.util.zip.ZipException("bytes after the end of the deflate stream");
                        return n;
                    }

                    @Override public void close() throws IOException {
                        try {
                            super.close();
                        } finally {
                            inflater.end();
                        }
                    }
                };
            }
        };
        return new Bounded(new PayloadDecoder(d, source, this), maxBytes, what + " once decompressed");
    }

    /** zstd's native library did not load on this machine (an Error, which the delivery paths do not expect). */
    private IOException unavailable(LinkageError e) {
        return new IOException(wireName + " compression is not available on this machine (its native library did not load): "
                + org.dicomrelay.dicom.net.FailureText.of(e), e);
    }
}
