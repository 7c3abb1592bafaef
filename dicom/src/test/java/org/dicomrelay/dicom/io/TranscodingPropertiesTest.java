package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** PS3.5 §10: the uncompressed transfer syntaxes encode the same data set; conversion among them loses nothing. */
class TranscodingPropertiesTest {

    @Provide Arbitrary<Attributes> dataSets() {
        return RandomDataSets.dataSets();
    }

    @Provide Arbitrary<TransferSyntax> syntaxes() {
        return Arbitraries.of(RandomDataSets.uncompressed());
    }

    static byte[] encode(Attributes ds, TransferSyntax ts) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DicomFile.write(bos, null, ds, ts);
        return bos.toByteArray();
    }

    static Attributes decode(byte[] bytes, TransferSyntax ts) throws IOException {
        return new DataSetReader(new DicomInputStream(new ByteArrayInputStream(bytes), ts)).readAll();
    }

    @Property(tries = 300)
    void aDataSetReadsBackEqualInEveryUncompressedSyntax(@ForAll("dataSets") Attributes ds, @ForAll("syntaxes") TransferSyntax ts)
            throws IOException {
        Attributes back = decode(encode(ds, ts), ts);
        assertThat(back.contentEquals(ds)).as("read back in %s:%n%s", ts.name(), back).isTrue();
    }

    @Property(tries = 300)
    void streamingTranscodeEqualsEncodingInTheTargetSyntax(@ForAll("dataSets") Attributes ds,
                                                          @ForAll("syntaxes") TransferSyntax from, @ForAll("syntaxes") TransferSyntax to)
            throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        Transcoder.transcode(new DicomInputStream(new ByteArrayInputStream(encode(ds, from)), from), new DicomOutputStream(bos, to));
        assertThat(decode(bos.toByteArray(), to).contentEquals(ds)).isTrue();
        if (!to.deflated()) assertThat(bos.toByteArray()).isEqualTo(encode(ds, to));
    }

    @Property(tries = 200)
    void littleToBigAndBackIsTheIdentity(@ForAll("dataSets") Attributes ds) throws IOException {
        byte[] le = encode(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        Attributes big = decode(encode(decode(le, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), TransferSyntax.EXPLICIT_VR_BIG_ENDIAN),
                TransferSyntax.EXPLICIT_VR_BIG_ENDIAN);
        assertThat(encode(big, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)).isEqualTo(le);
    }
}
