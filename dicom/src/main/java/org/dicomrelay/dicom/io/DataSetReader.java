package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.BulkData;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Fragments;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomInputStream.Event;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link Attributes} from a {@link DicomInputStream}. Values longer than the bulk data
 * threshold are left in the file as {@link BulkData} references, so reading a multi-GB object
 * costs memory for its header only.
 */
public final class DataSetReader {
    private final DicomInputStream in;
    private Path bulkDataFile;
    private long bulkDataThreshold = Long.MAX_VALUE;
    private long maxMemory = 64L << 20;
    private long used;
    /** A rough per-element cost, so that a flood of empty items is bounded too. */
    private static final int ELEMENT_OVERHEAD = 64;

    public DataSetReader(DicomInputStream in) {
        this.in = in;
    }

    /**
     * Leaves values longer than {@code threshold} bytes in {@code file} (the file {@code in} reads),
     * when the stream's offsets are file offsets (not a deflated syntax).
     */
    public DataSetReader bulkData(Path file, long threshold) {
        this.bulkDataFile = file;
        this.bulkDataThreshold = threshold;
        return this;
    }

    /**
     * Refuses data sets whose in-memory values (bulk data references excluded) would exceed
     * {@code bytes}: input that never ends must end in an error, not in an OutOfMemoryError.
     */
    public DataSetReader maxMemory(long bytes) {
        this.maxMemory = bytes;
        return this;
    }

    private void charge(long bytes) throws DicomParseException {
        used += bytes + ELEMENT_OVERHEAD;
        if (used > maxMemory) {
            throw new DicomParseException(in.headerPosition(), "data set exceeds the in-memory limit of " + maxMemory
                    + " bytes at " + Tag.toString(in.tag()) + (bytes > 0 ? " (value of " + bytes + " bytes)" : "")
                    + "; stream it or raise the limit");
        }
    }

    public Attributes readAll() throws IOException {
        return readUntil(-1);
    }

    /**
     * Reads top-level elements up to, not including, the first with a tag at or above
     * {@code stopTag} (compared unsigned; -1 reads everything). The stream is then positioned on
     * that element with its value unread, so the caller can stream it; a further call to this
     * reader starts with that element.
     */
    public Attributes readUntil(int stopTag) throws IOException {
        Attributes ds = new Attributes(in.bigEndian());
        while (true) {
            Event e = stopped ? in.event() : in.next();
            stopped = false;
            if (e == Event.END) return ds;
            if (stopTag != -1 && Integer.compareUnsigned(in.tag(), stopTag) >= 0) {
                stopped = true;
                return ds;
            }
            ds.add(readElement(e));
        }
    }

    /** The last call stopped on an element whose header is read; the next call starts with it. */
    private boolean stopped;

    private DicomElement readElement(Event e) throws IOException {
        charge(0);
        int tag = in.tag();
        VR vr = in.vr();
        return switch (e) {
            case ELEMENT -> new DicomElement(tag, vr, readValue());
            case SEQUENCE_START -> new DicomElement(tag, vr, readSequence());
            case FRAGMENTS_START -> new DicomElement(tag, vr, readFragments());
            default -> throw new DicomParseException(in.headerPosition(), "unexpected " + e + " at top of an item");
        };
    }

    private Object readValue() throws IOException {
        long len = in.length();
        if (len > bulkDataThreshold && bulkDataFile != null && in.positionIsStreamOffset()) {
            BulkData d = new BulkData(bulkDataFile, in.position(), len, in.bigEndian());
            in.skipValue();
            return d;
        }
        charge(len);
        return in.readValue();
    }

    private Sequence readSequence() throws IOException {
        boolean undefined = in.currentUndefinedLength();
        List<Attributes> items = new ArrayList<>();
        while (true) {
            Event e = in.next();
            if (e == Event.SEQUENCE_END) return new Sequence(items, undefined);
            if (e != Event.ITEM_START) throw new DicomParseException(in.headerPosition(), "expected an item, found " + e);
            charge(0);
            Attributes item = new Attributes(in.bigEndian()).undefinedLength(in.currentUndefinedLength());
            while ((e = in.next()) != Event.ITEM_END) {
                if (e == Event.END) throw new DicomParseException(in.position(), "truncated inside a sequence item");
                item.add(readElement(e));
            }
            items.add(item);
        }
    }

    private Fragments readFragments() throws IOException {
        List<Object> items = new ArrayList<>();
        Event e;
        while ((e = in.next()) == Event.FRAGMENT) items.add(readValue());
        if (e != Event.FRAGMENTS_END) throw new DicomParseException(in.headerPosition(), "expected a fragment, found " + e);
        return new Fragments(items);
    }
}
