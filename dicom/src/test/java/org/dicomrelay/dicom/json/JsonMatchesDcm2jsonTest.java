package org.dicomrelay.dicom.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our DICOM JSON for every pydicom sample file, compared attribute by attribute with DCMTK's
 * dcm2json (3.6.7, default options). Both are parsed with Jackson, independently of our parser.
 *
 * <p>Where the two agree without help: group lengths are left out by both (F.2.2); the file meta
 * information is not part of the data set and neither writes it (dcm2json without +m); a tag
 * repeated in a malformed data set (palettes/winter.dcm) is written once, first occurrence, by
 * both; private elements are written with the VR the file gives, and as UN with InlineBinary in
 * implicit VR, where no VR is known (PS3.5 §6.2.2); CP-246 sequences (UN of undefined length) as
 * SQ; invalid IS/DS text (badVR.dcm's IS "1A") as a string; PN values of delimiters only ("^^^^")
 * as empty, having no name component (F.2.2, PS3.5 §6.2.1).
 *
 * <p>The intended differences, each checked as narrowly as possible ({@link Dcm2jsonDifference}):
 * <dl>
 * <dt>DECIMAL_FORM</dt><dd>IS/DS whose text is not a JSON number: both rewrite ".5", "+1", "007" as
 *     0.5, 1, 7, but for "5." dcm2json writes 5. (not valid JSON) and we 5, for "1.0E+05" it writes
 *     1.0E05 and we keep 1.0E+05. F.2.3 allows Number or String and fixes no format; compared as
 *     decimal numbers. No sample file needs it (both keep valid JSON numbers as they are, 80.0000
 *     included); it is here for the files that do.</dd>
 * <dt>FLOAT_DIGITS</dt><dd>FL/FD: we print the fewest digits that read back to the same binary
 *     value, dcm2json 9 significant digits for FL (-77.20406 vs -77.2040634). F.2.3 says only
 *     "Number"; compared as binary32/binary64 values, which must be identical.</dd>
 * <dt>CHARSET_DECLARED_AS_UTF8</dt><dd>dcm2json rewrites Specific Character Set (0008,0005) to
 *     "ISO_IR 192" because its output is UTF-8. PS3.18 F.2.2 Note 3 says (0008,0005) "reflects the
 *     character encoding of the source DICOM dataset and does not indicate the character encoding of
 *     the JSON representation, which is UTF-8": we keep the source value.</dd>
 * <dt>ODD_LENGTH_PADDED</dt><dd>DCMTK pads an odd-length binary value with 00 when reading it; we
 *     write the Value Field as stored (F.2.7: "the base64 encoding of the ... Value Field"). Odd
 *     lengths violate PS3.5 §7.1.1 but a relay must not alter data. Compared after padding.</dd>
 * <dt>US_OR_SS</dt><dd>In implicit VR, elements that PS3.6 lists as "US or SS" get US from our
 *     dictionary (the first VR listed; the caller knows Pixel Representation), SS from DCMTK.
 *     Both VRs are allowed by PS3.6; compared as 16-bit patterns.</dd>
 * <dt>ENCAPSULATED_PIXEL_DATA</dt><dd>dcm2json 3.6.7 refuses to write encapsulated Pixel Data
 *     ("JSON InlineBinary encoding not supported for compressed pixel data"). F.2.7 defines
 *     InlineBinary as the base64 of the Value Field, which for encapsulated data is the item
 *     sequence with its delimiter (PS3.5 §A.4, Tables A.4-1 and G.6-1); we write that. dcm2json is
 *     run on the file with the Pixel Data element cut out, and our InlineBinary is checked byte for
 *     byte against the Value Field in the file.</dd>
 * <dt>TRANSFER_SYNTAX_MISMATCH</dt><dd>SC_rgb_jpeg.dcm declares JPEG Baseline in its meta
 *     information but its data set is implicit VR. PS3.10 §7.1 makes the declared syntax govern,
 *     so the file is broken; we read what is there (as pydicom does), dcm2json cannot read it at
 *     all. dcm2json gets the bare data set and the real syntax (-f -ti).</dd>
 * <dt>ISO_2022_IR_87_NOT_CONVERTED</dt><dd>Debian's DCMTK converts with iconv, which lacks
 *     "ISO 2022 IR 87" (JIS X 0208), so dcm2json refuses files using it. We decode them as PS3.5
 *     §6.1.2.5 and JSON's UTF-8 (F.2.2 Note 3) require. dcm2json is run with every (0008,0005)
 *     overwritten by "ISO_IR 100" (same length, so nothing moves), a one-char-per-byte set; its
 *     strings are taken back to the file's bytes and decoded with the file's real character set
 *     before comparing, and its (0008,0005) is not compared.</dd>
 * <dt>ITEM_CHARSET_IGNORED</dt><dd>A sequence item may declare its own Specific Character Set
 *     (PS3.3 C.12.1.1.2); dcm2json 3.6.7 ignores it and emits the item's text as raw bytes, which is
 *     not UTF-8 (chrSQEncoding.dcm). We decode with the item's character set; dcm2json's bytes are
 *     decoded the same way before comparing.</dd>
 * </dl>
 */
class JsonMatchesDcm2jsonTest {

    /** Files that are broken on purpose: both parsers refuse them (see DumpCommandTest for our error). */
    static final Set<String> UNREADABLE = Set.of("test_files/MR_truncated.dcm", "test_files/rtplan_truncated.dcm", "test_files/no_meta.dcm");

    /** Numbers keep their exact text (80.0000 is not 80.0), so that every difference in form is seen. */
    private static final ObjectMapper JACKSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    private static final Map<String, String> REPORT = new TreeMap<>();

    @TestFactory
    Stream<DynamicTest> everySampleFileMatchesDcm2jsonUpToTheListedDifferences() {
        return Samples.allDcm().stream()
                .filter(p -> !UNREADABLE.contains(relative(p)))
                .map(p -> DynamicTest.dynamicTest(relative(p), () -> compare(p)));
    }

    private static String relative(Path p) {
        return Samples.root().relativize(p).toString().replace('\\', '/');
    }

    private static void compare(Path file) throws Exception {
        StringWriter ours = new StringWriter();
        new DicomJsonWriter().write(DicomFile.read(file).dataSet(), ours);
        Dcm2jsonReference ref = Dcm2jsonReference.of(file);

        JsonNode x = JACKSON.readTree(ours.toString());
        JsonNode y = JACKSON.readTree(RawText.decode(ref.json()));
        boolean cut = ref.preparations().contains(Dcm2jsonReference.Preparation.CUT_ENCAPSULATED_PIXEL_DATA);
        JsonComparison c = new JsonComparison(ref.preparations().contains(Dcm2jsonReference.Preparation.LATIN1_CHARACTER_SETS), cut);
        c.compare(x, y);
        if (cut) {
            byte[] inline = Base64.getDecoder().decode(x.path("7FE00010").path("InlineBinary").asText());
            assertThat(inline).as("encapsulated Pixel Data InlineBinary = its Value Field in the file")
                    .isEqualTo(ref.layout().encapsulatedValueField(file));
        }
        if (ref.preparations().contains(Dcm2jsonReference.Preparation.BARE_DATA_SET)) {
            c.explained.add(Dcm2jsonDifference.TRANSFER_SYNTAX_MISMATCH);
        }
        Set<String> used = new TreeSet<>();
        c.explained.forEach(d -> used.add(d.name()));
        REPORT.put(relative(file), String.join(", ", used));
        assertThat(c.unexplained).as("differences from dcm2json not explained by a listed rule").isEmpty();
    }

    @AfterAll
    static void printWhichFilesNeededWhichNormalisation() throws Exception {
        StringBuilder sb = new StringBuilder();
        REPORT.forEach((f, rules) -> sb.append(f).append(": ").append(rules.isEmpty() ? "identical" : rules).append('\n'));
        Path out = Path.of("target", "dcm2json-differences.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb);
    }
}
