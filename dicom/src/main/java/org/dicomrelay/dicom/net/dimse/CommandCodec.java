package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DataSetReader;
import org.dicomrelay.dicom.io.DicomInputStream;
import org.dicomrelay.dicom.io.DicomOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

// Temporary stand-in until the DIMSE work lands.
public final class CommandCodec {
    private CommandCodec() {}

    public static byte[] encode(Attributes command) {
        try {
            Attributes c = new Attributes(false);
            long len = 0;
            for (DicomElement e : command) {
                if (e.tag() == 0) continue;
                c.set(e);
                len += 8 + e.valueLength();
            }
            c.setInt(0, VR.UL, (int) len);
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DicomOutputStream d = new DicomOutputStream(bos, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
            d.writeDataSet(c);
            d.finish();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static Attributes decode(byte[] b, int off, int len) throws IOException {
        return new DataSetReader(new DicomInputStream(new ByteArrayInputStream(b, off, len), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)).readAll();
    }
}
