package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.io.DicomInputStream;
import org.dicomrelay.dicom.io.DicomInputStream.Event;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * dcm2json's JSON for a file. Where dcm2json 3.6.7 cannot convert a file at all, the input it is
 * given is prepared first, with byte surgery that leaves every other element as it is; which
 * preparations a file needed is recorded, and each is justified in {@link JsonMatchesDcm2jsonTest}.
 */
record Dcm2jsonReference(byte[] json, Set<Preparation> preparations, Layout layout) {

    enum Preparation {
        /** dcm2json refuses encapsulated pixel data: the Pixel Data element is cut out of its input. */
        CUT_ENCAPSULATED_PIXEL_DATA,
        /** The data set is not in the transfer syntax the meta information declares: dcm2json gets the bare data set and the real syntax. */
        BARE_DATA_SET,
        /**
         * Debian's DCMTK cannot convert ISO 2022 IR 87 (its iconv lacks it): every (0008,0005) is
         * overwritten, same length, with ISO_IR 100, whose one char per byte lets the file's bytes be
         * recovered from dcm2json's strings exactly.
         */
        LATIN1_CHARACTER_SETS
    }

    /** Where things are in the file (offsets in the file; deflated files have none of these preparations). */
    record Layout(long dataSetStart, TransferSyntax transferSyntax, boolean mismatch,
                  long pixelDataStart, long pixelDataValueStart, long pixelDataEnd, List<long[]> characterSets) {

        static Layout of(Path file) throws IOException {
            long pixelStart = -1, pixelValue = -1, pixelEnd = -1;
            List<long[]> charsets = new ArrayList<>();
            try (InputStream in = Files.newInputStream(file); DicomInputStream din = new DicomInputStream(in, Files.size(file))) {
                Event e;
                while ((e = din.next()) != Event.END) {
                    if (e == Event.FRAGMENTS_START && din.depth() == 1 && din.tag() == Tag.PixelData) {
                        pixelStart = din.headerPosition();
                        pixelValue = din.position();
                    } else if (e == Event.FRAGMENTS_END && din.depth() == 0 && din.tag() == Tag.PixelData) {
                        pixelEnd = din.position();
                    } else if (e == Event.ELEMENT && din.tag() == Tag.SpecificCharacterSet) {
                        charsets.add(new long[] {din.position(), din.length()});
                    }
                }
                return new Layout(din.dataSetStart(), din.transferSyntax(), din.transferSyntaxMismatch(),
                        pixelStart, pixelValue, pixelEnd, charsets);
            }
        }

        /** The Value Field of the encapsulated Pixel Data as the file holds it. */
        byte[] encapsulatedValueField(Path file) throws IOException {
            byte[] all = Files.readAllBytes(file);
            return Arrays.copyOfRange(all, (int) pixelDataValueStart, (int) pixelDataEnd);
        }
    }

    static Dcm2jsonReference of(Path file) throws IOException, InterruptedException {
        Layout layout = Layout.of(file);
        Set<Preparation> preps = EnumSet.noneOf(Preparation.class);
        while (true) {
            Path input = Files.createTempFile("dcm2json-input", ".dcm");
            try {
                Files.write(input, prepare(Files.readAllBytes(file), layout, preps));
                Dcm2json.Result r = Dcm2json.run(input, options(layout, preps));
                if (r.ok()) return new Dcm2jsonReference(r.json(), preps, layout);
                Preparation next = diagnose(r.stderr(), layout);
                if (next == null || !preps.add(next)) {
                    return fail("dcm2json failed (exit " + r.exitCode() + ") after preparations " + preps + ":\n" + r.stderr());
                }
            } finally {
                Files.deleteIfExists(input);
            }
        }
    }

    private static Preparation diagnose(String stderr, Layout layout) {
        if (stderr.contains("not supported for compressed pixel data") && layout.pixelDataEnd > 0) return Preparation.CUT_ENCAPSULATED_PIXEL_DATA;
        if (stderr.contains("not supported by the utilized character set conversion library")) return Preparation.LATIN1_CHARACTER_SETS;
        if (layout.mismatch) return Preparation.BARE_DATA_SET;
        return null;
    }

    private static List<String> options(Layout layout, Set<Preparation> preps) {
        if (!preps.contains(Preparation.BARE_DATA_SET)) return List.of();
        TransferSyntax ts = layout.transferSyntax;
        return List.of("-f", !ts.explicitVR() ? "-ti" : ts.bigEndian() ? "-tb" : "-te");
    }

    private static byte[] prepare(byte[] file, Layout layout, Set<Preparation> preps) {
        byte[] b = file.clone();
        if (preps.contains(Preparation.LATIN1_CHARACTER_SETS)) {
            byte[] latin1 = "ISO_IR 100".getBytes(StandardCharsets.US_ASCII);
            for (long[] cs : layout.characterSets) {
                if (cs[1] < latin1.length) throw new IllegalStateException("(0008,0005) too short to overwrite at offset " + cs[0]);
                Arrays.fill(b, (int) cs[0], (int) (cs[0] + cs[1]), (byte) ' ');
                System.arraycopy(latin1, 0, b, (int) cs[0], latin1.length);
            }
        }
        long start = preps.contains(Preparation.BARE_DATA_SET) ? layout.dataSetStart : 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (preps.contains(Preparation.CUT_ENCAPSULATED_PIXEL_DATA)) {
            out.write(b, (int) start, (int) (layout.pixelDataStart - start));
            out.write(b, (int) layout.pixelDataEnd, b.length - (int) layout.pixelDataEnd);
        } else {
            out.write(b, (int) start, b.length - (int) start);
        }
        return out.toByteArray();
    }
}
