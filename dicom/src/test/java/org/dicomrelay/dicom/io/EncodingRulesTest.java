package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.Implementation;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Encoding rules of PS3.5 and PS3.10 that the corpus alone would not pin. */
class EncodingRulesTest {

    static byte[] encode(Attributes ds, TransferSyntax ts) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DicomFile.write(bos, null, ds, ts);
        return bos.toByteArray();
    }

    @Test void cp1066_aValueTooLongForA16BitLengthIsWrittenAsUN() throws IOException {
        Attributes ds = new Attributes();
        byte[] big = new byte[70_000];
        Arrays.fill(big, (byte) 'A');
        ds.setBytes(0x00081030, VR.LO, big);
        byte[] b = encode(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        assertThat(new String(b, 4, 2, StandardCharsets.US_ASCII)).isEqualTo("UN");
        assertThat(b).hasSize(12 + 70_000);
    }

    @Test void padding_UIWithNulTextWithSpace() {
        Attributes ds = new Attributes();
        ds.setString(Tag.SOPInstanceUID, VR.UI, "1.2.3");
        ds.setString(Tag.PatientName, VR.PN, "Doe");
        assertThat(ds.getBytes(Tag.SOPInstanceUID)).endsWith(0);
        assertThat(ds.getBytes(Tag.PatientName)).endsWith(' ');
        assertThat(ds.getString(Tag.SOPInstanceUID)).isEqualTo("1.2.3");
        assertThat(ds.getString(Tag.PatientName)).isEqualTo("Doe");
    }

    @Test void ps3_10_fileMetaInformationIsWrittenInFull() throws IOException {
        Attributes fmi = FileMetaInformation.create("1.2.840.10008.5.1.4.1.1.7", "1.2.3.4", TransferSyntax.EXPLICIT_VR_BIG_ENDIAN.uid());
        Attributes ds = new Attributes(true);
        ds.setInt(0x00280010, VR.US, 512);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DicomFile.write(bos, fmi, ds, TransferSyntax.EXPLICIT_VR_BIG_ENDIAN);
        byte[] b = bos.toByteArray();
        assertThat(Arrays.copyOfRange(b, 0, 128)).containsOnly(0);
        assertThat(new String(b, 128, 4, StandardCharsets.US_ASCII)).isEqualTo("DICM");
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(b))) {
            Attributes meta = in.fileMetaInformation();
            assertThat(meta.getBytes(Tag.FileMetaInformationVersion)).containsExactly(0, 1);
            assertThat(meta.getString(Tag.ImplementationClassUID)).isEqualTo(Implementation.CLASS_UID);
            assertThat(meta.getString(Tag.ImplementationVersionName)).isEqualTo(Implementation.VERSION_NAME);
            assertThat(meta.getString(Tag.TransferSyntaxUID)).isEqualTo(TransferSyntax.EXPLICIT_VR_BIG_ENDIAN.uid());
            // group length = bytes of the group after the group length element itself
            int groupLength = meta.getInt(Tag.FileMetaInformationGroupLength, -1);
            assertThat(in.dataSetStart()).isEqualTo(132 + 12 + groupLength);
            assertThat(in.transferSyntax().bigEndian()).isTrue();
            assertThat(new DataSetReader(in).readAll().getInt(0x00280010, -1)).isEqualTo(512);
        }
    }

    @Test void cp246_anUndefinedLengthUNIsReadAsAnImplicitLittleEndianSequence() throws IOException {
        // (0009,1010) UN, undefined length, holding one item with (0010,0010) in implicit VR LE
        byte[] name = "Doe^J".getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x0009).putShort((short) 0x1010).put((byte) 'U').put((byte) 'N').putShort((short) 0).putInt(-1);
        b.putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(-1);
        b.putShort((short) 0x0010).putShort((short) 0x0010).putInt(6).put(name).put((byte) ' ');
        b.putShort((short) 0xFFFE).putShort((short) 0xE00D).putInt(0);
        b.putShort((short) 0xFFFE).putShort((short) 0xE0DD).putInt(0);
        byte[] bytes = Arrays.copyOf(b.array(), b.position());
        Attributes ds = new DataSetReader(new DicomInputStream(new ByteArrayInputStream(bytes), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)).readAll();
        Attributes item = ds.getSequence(0x00091010).items().get(0);
        assertThat(item.getString(Tag.PatientName)).isEqualTo("Doe^J");
        assertThat(item.get(Tag.PatientName).vr()).as("VR from the dictionary, as implicit VR requires").isEqualTo(VR.PN);
        assertThat(encode(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)).as("written back as it came").isEqualTo(bytes);
    }

    @Test void encapsulatedPixelDataIsWalkedByLengthNotByScanning() throws IOException {
        // A fragment whose bytes contain a sequence delimiter pattern must not end the pixel data.
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x7FE0).putShort((short) 0x0010).put((byte) 'O').put((byte) 'B').putShort((short) 0).putInt(-1);
        b.putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(0); // empty basic offset table
        b.putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(8).putShort((short) 0xFFFE).putShort((short) 0xE0DD).putInt(0);
        b.putShort((short) 0xFFFE).putShort((short) 0xE0DD).putInt(0);
        byte[] bytes = Arrays.copyOf(b.array(), b.position());
        Attributes ds = new DataSetReader(new DicomInputStream(new ByteArrayInputStream(bytes), TransferSyntax.of("1.2.840.10008.1.2.4.50"))).readAll();
        var frags = (org.dicomrelay.dicom.data.Fragments) ds.get(Tag.PixelData).value();
        assertThat(frags.items()).hasSize(2);
        assertThat((byte[]) frags.items().get(1)).hasSize(8);
        assertThat(encode(ds, TransferSyntax.of("1.2.840.10008.1.2.4.50"))).isEqualTo(bytes);
    }
}
