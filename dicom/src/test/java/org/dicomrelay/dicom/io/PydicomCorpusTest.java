package org.dicomrelay.dicom.io;

import org.dicomrelay.testkit.Samples;
import org.dicomrelay.testkit.StoredFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every sample file pydicom ships: read, then written back in its own transfer syntax, the data
 * set is byte-identical to the input. The deliberately broken files fail with an error that names
 * the offset and the problem.
 */
public class PydicomCorpusTest {

    static final Map<String, String> BROKEN = Samples.BROKEN;

    @Test
    void theCorpusIsTheOneTheIssueCounts() {
        assertThat(Samples.allDcm()).hasSize(94);
    }

    @TestFactory
    Stream<DynamicTest> eachFileRoundTripsByteForByteInItsOwnSyntax() {
        return Samples.allDcm().stream().map(p -> {
            String name = Samples.root().relativize(p).toString();
            return DynamicTest.dynamicTest(name, () -> {
                if (BROKEN.containsKey(name)) {
                    assertThatThrownBy(() -> DicomFile.read(p))
                            .isInstanceOf(DicomParseException.class)
                            .hasMessageStartingWith(BROKEN.get(name));
                } else {
                    assertRoundTrip(p);
                }
            });
        });
    }

    /** Also with every value held in memory (no bulk data references), which is how network data arrives. */
    @TestFactory
    Stream<DynamicTest> eachFileRoundTripsFromAStreamWithoutBulkData() {
        return Samples.allDcm().stream().filter(p -> !BROKEN.containsKey(Samples.root().relativize(p).toString())).map(p ->
                DynamicTest.dynamicTest(Samples.root().relativize(p).toString(), () -> {
                    byte[] file = Files.readAllBytes(p);
                    try (DicomInputStream din = new DicomInputStream(new ByteArrayInputStream(file))) {
                        var ds = new DataSetReader(din).readAll();
                        byte[] expected = dataSetBytes(file, din);
                        assertThat(Arrays.mismatch(write(ds, din), expected)).as("first differing byte").isEqualTo(-1);
                    }
                }));
    }

    /** The streaming transcoder, asked for the syntax the data set already has, copies it unchanged. */
    @TestFactory
    Stream<DynamicTest> eachFileStreamsThroughTheTranscoderUnchanged() {
        return Samples.allDcm().stream().filter(p -> !BROKEN.containsKey(Samples.root().relativize(p).toString())).map(p ->
                DynamicTest.dynamicTest(Samples.root().relativize(p).toString(), () -> {
                    byte[] file = Files.readAllBytes(p);
                    try (DicomInputStream din = new DicomInputStream(new ByteArrayInputStream(file))) {
                        ByteArrayOutputStream bos = new ByteArrayOutputStream();
                        DicomOutputStream dout = new DicomOutputStream(bos, din.transferSyntax());
                        Transcoder.transcode(din, dout);
                        byte[] out = bos.toByteArray();
                        if (din.transferSyntax().deflated()) out = StoredFiles.inflate(out);
                        assertThat(Arrays.mismatch(out, dataSetBytes(file, din))).as("first differing byte").isEqualTo(-1);
                    }
                }));
    }

    private static void assertRoundTrip(Path p) throws IOException {
        DicomFile f = DicomFile.read(p);
        byte[] file = Files.readAllBytes(p);
        long start;
        boolean deflated;
        try (InputStream in = Files.newInputStream(p); DicomInputStream din = new DicomInputStream(in, file.length)) {
            start = din.dataSetStart();
            deflated = din.transferSyntax().deflated();
        }
        byte[] expected = Arrays.copyOfRange(file, (int) start, file.length);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DicomFile.write(bos, null, f.dataSet(), f.transferSyntax());
        byte[] actual = bos.toByteArray();
        if (deflated) {
            // The standard fixes the inflated data set, not the deflate stream (PS3.5 §A.5): compare inflated.
            expected = StoredFiles.inflate(expected);
            actual = StoredFiles.inflate(actual);
        }
        int at = Arrays.mismatch(expected, actual);
        assertThat(at).as("first differing data set byte (of %d)", expected.length).isEqualTo(-1);
    }

    private static byte[] dataSetBytes(byte[] file, DicomInputStream din) throws IOException {
        byte[] ds = Arrays.copyOfRange(file, (int) din.dataSetStart(), file.length);
        return din.transferSyntax().deflated() ? StoredFiles.inflate(ds) : ds;
    }

    private static byte[] write(org.dicomrelay.dicom.data.Attributes ds, DicomInputStream din) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DicomFile.write(bos, null, ds, din.transferSyntax());
        byte[] out = bos.toByteArray();
        return din.transferSyntax().deflated() ? StoredFiles.inflate(out) : out;
    }
}
