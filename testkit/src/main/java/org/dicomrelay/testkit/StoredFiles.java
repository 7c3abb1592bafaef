package org.dicomrelay.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * What a test peer or archive stored: its files by SOP Instance UID, and their data set bytes.
 * Read here with a few lines of PS3.10 rather than with the toolkit under test, so that the
 * toolkit cannot agree with itself on a mistake.
 */
public final class StoredFiles {
    private StoredFiles() {}

    /** Explicit VR little endian VRs with a reserved field and a 32-bit length (PS3.5 Table 7.1-1). */
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    /** Files in a folder (recursively, hidden ones skipped) by Media Storage SOP Instance UID. */
    public static Map<String, Path> byInstance(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            Map<String, Path> m = new LinkedHashMap<>();
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                m.put(Meta.of(Files.readAllBytes(f), f).sopInstanceUid, f);
            }
            return m;
        }
    }

    /** The data set bytes of a file, as stored (after its meta information; the whole file if it has none). */
    public static byte[] dataSet(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return Arrays.copyOfRange(b, Meta.of(b, file).dataSetStart, b.length);
    }

    /** A deflated data set (Deflated Explicit VR Little Endian, PS3.5 A.5: raw deflate, no zlib header) inflated. */
    public static byte[] inflate(byte[] deflated) throws IOException {
        return new InflaterInputStream(new ByteArrayInputStream(deflated), new Inflater(true)).readAllBytes();
    }

    private record Meta(String sopInstanceUid, int dataSetStart) {
        static Meta of(byte[] b, Path file) throws IOException {
            if (b.length < 132 || !"DICM".equals(new String(b, 128, 4, StandardCharsets.US_ASCII))) return new Meta(null, 0);
            ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            in.position(132);
            String iuid = null;
            while (in.remaining() >= 8 && in.getShort(in.position()) == 0x0002) {
                int element = in.getShort(in.position() + 2) & 0xFFFF;
                String vr = new String(b, in.position() + 4, 2, StandardCharsets.US_ASCII);
                long length;
                if (LONG_VRS.contains(vr)) {
                    in.position(in.position() + 8);
                    length = in.getInt() & 0xFFFFFFFFL;
                } else {
                    length = in.getShort(in.position() + 6) & 0xFFFF;
                    in.position(in.position() + 8);
                }
                if (length > in.remaining()) throw new IOException(file + ": meta element (0002," + String.format("%04X", element) + ") runs past the end");
                if (element == 0x0003) iuid = new String(b, in.position(), (int) length, StandardCharsets.US_ASCII).replaceAll("[\\s\\x00]+$", "");
                in.position(in.position() + (int) length);
            }
            return new Meta(iuid, in.position());
        }
    }
}
