package org.dicomrelay.dicom.json;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;

import java.io.IOException;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bit pattern of a binary number VR survives JSON exactly, from either byte order (F.2.3). */
class JsonBinaryNumberRoundTripTest {

    @Provide Arbitrary<VR> numberVRs() {
        return Arbitraries.of(VR.US, VR.SS, VR.UL, VR.SL, VR.SV, VR.UV, VR.FL, VR.FD);
    }

    @Property(tries = 500)
    void binaryNumbersRoundTripBitForBit(@ForAll("numberVRs") VR vr, @ForAll boolean bigEndian,
                                         @ForAll("values") byte[] raw) throws IOException {
        int unit = BinaryNumbers.unit(vr);
        byte[] value = java.util.Arrays.copyOf(raw, raw.length - raw.length % unit);
        if (vr == VR.FL || vr == VR.FD) value = withoutNaN(value, unit, bigEndian); // NaN payloads are not numbers
        Attributes ds = new Attributes(bigEndian).setBytes(0x00191010, vr, value);
        StringWriter json = new StringWriter();
        new DicomJsonWriter().nonFinite(DicomJsonWriter.NonFinite.AS_STRINGS).write(ds, json);
        assertThat(new DicomJsonReader().read(json.toString()).contentEquals(ds)).as(json.toString()).isTrue();
    }

    @Provide Arbitrary<byte[]> values() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(32);
    }

    private static byte[] withoutNaN(byte[] b, int unit, boolean bigEndian) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(bigEndian ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.length; i += unit) {
            if (unit == 4 && Float.isNaN(buf.getFloat(i))) buf.putFloat(i, 1f);
            if (unit == 8 && Double.isNaN(buf.getDouble(i))) buf.putDouble(i, 1d);
        }
        return b;
    }
}
