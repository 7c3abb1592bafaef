package org.dicomrelay.archive;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.VR;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The key attributes of an indexed instance as one binary value (column {@code instances.keys}):
 * a format byte, the byte order of the values, the element count, then per element its tag, the
 * two characters of its VR, the value length and the value bytes exactly as the index was given
 * them (so text keeps its own character set). Only plain values: the archive's keys are never
 * sequences nor encapsulated.
 */
final class KeyCodec {
    private KeyCodec() {}

    static final int FORMAT = 1;

    static byte[] encode(Attributes keys) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeBoolean(keys.bigEndian());
            out.writeInt(keys.size());
            for (DicomElement e : keys) {
                if (!(e.value() instanceof byte[] v)) {
                    throw new IllegalArgumentException("cannot index " + org.dicomrelay.dicom.data.Tag.toString(e.tag())
                            + ": only plain values are kept, not " + e.value().getClass().getSimpleName());
                }
                out.writeInt(e.tag());
                out.writeShort(e.vr().code());
                out.writeInt(v.length);
                out.write(v);
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e); // a ByteArrayOutputStream never throws
        }
        return bytes.toByteArray();
    }

    static Attributes decode(byte[] encoded) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
        int format = in.readUnsignedByte();
        if (format != FORMAT) throw new IOException("stored keys in format " + format + ", expected " + FORMAT);
        Attributes keys = new Attributes(in.readBoolean());
        int n = in.readInt();
        if (n < 0) throw new IOException("stored keys: negative element count " + n);
        for (int i = 0; i < n; i++) {
            int tag = in.readInt();
            int code = in.readUnsignedShort();
            VR vr = VR.ofCode(code);
            if (vr == null) throw new IOException("stored keys: unknown VR code " + Integer.toHexString(code));
            int length = in.readInt();
            if (length < 0 || length > in.available()) throw new IOException("stored keys: value length " + length + " beyond the end");
            byte[] v = new byte[length];
            in.readFully(v);
            keys.set(new DicomElement(tag, vr, v));
        }
        if (in.available() != 0) throw new IOException("stored keys: " + in.available() + " bytes after the last element");
        return keys;
    }
}
