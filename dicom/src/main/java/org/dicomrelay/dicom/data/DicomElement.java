package org.dicomrelay.dicom.data;

/**
 * One data element. The value is one of: {@code byte[]} (the raw value, padding included, in the
 * byte order of the data set that holds it), {@link Sequence}, {@link Fragments} or {@link BulkData}.
 * Keeping raw bytes is what lets a relay forward a data set without changing a bit of it.
 */
public record DicomElement(int tag, VR vr, Object value) {

    public DicomElement {
        if (!(value instanceof byte[] || value instanceof Sequence || value instanceof Fragments
                || value instanceof BulkData)) {
            throw new IllegalArgumentException("unsupported value type " + value.getClass().getName());
        }
    }

    /** Length in bytes of a byte or bulk value; -1 for sequences and fragments (undefined length). */
    public long valueLength() {
        if (value instanceof byte[] b) return b.length;
        if (value instanceof BulkData d) return d.length();
        return -1;
    }

    public boolean isEmpty() {
        if (value instanceof byte[] b) return b.length == 0;
        if (value instanceof BulkData d) return d.length() == 0;
        if (value instanceof Sequence s) return s.items().isEmpty();
        return ((Fragments) value).items().isEmpty();
    }
}
