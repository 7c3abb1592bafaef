package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attributes → JSON → Attributes for every readable sample file. The round trip is exact
 * ({@link Attributes#contentEquals}) unless the file holds something DICOM JSON does not carry;
 * then it is exact up to the {@link JsonCanonicalForm.Step}s that describe what, and the test
 * checks that those steps are needed (so a file is never excused without cause):
 * <ul>
 * <li>GROUP_LENGTH_DROPPED, DUPLICATE_DROPPED: not representable (F.2.2; one name per member).</li>
 * <li>INSIGNIFICANT_SPACES: padding and the spaces PS3.5 §6.2 calls insignificant are not part of
 *     the JSON value; the reader pads to even length afresh (e.g. "DERIVED \SECONDARY").</li>
 * <li>PN_EMPTY_GROUPS: component groups without a name ("^^^^", or the empty group that a trailing
 *     '=' opens, as in "Wang^XiaoDong=王^小东=") are not written (F.2.2).</li>
 * <li>ESCAPE_SEQUENCES: ISO 2022 text goes through Unicode; re-encoding returns to the initial
 *     set with the escape sequence of that set, where the file used ESC ( B.</li>
 * <li>UN_SEQUENCE_AS_SQ: a CP-246 sequence comes back as SQ.</li>
 * </ul>
 * Byte order is not an exception: big-endian files come back little endian with equal content.
 */
class JsonRoundTripTest {

    private static final Map<String, String> REPORT = new TreeMap<>();

    @TestFactory
    Stream<DynamicTest> everySampleFileSurvivesJsonAndBack() {
        return Samples.allDcm().stream()
                .filter(p -> !JsonMatchesDcm2jsonTest.UNREADABLE.contains(relative(p)))
                .map(p -> DynamicTest.dynamicTest(relative(p), () -> roundTrip(p)));
    }

    private static String relative(Path p) {
        return Samples.root().relativize(p).toString().replace('\\', '/');
    }

    private static void roundTrip(Path file) throws Exception {
        Attributes original = DicomFile.read(file).dataSet();
        StringWriter json = new StringWriter();
        new DicomJsonWriter().write(original, json);
        Attributes back = new DicomJsonReader().read(json.toString());

        JsonCanonicalForm canonical = new JsonCanonicalForm();
        Attributes expected = canonical.of(original);
        REPORT.put(relative(file), canonical.steps.isEmpty() ? "exact" : canonical.steps.toString());
        if (canonical.steps.isEmpty()) {
            assertThat(back.contentEquals(original)).as("exact round trip").isTrue();
        } else {
            assertThat(back.contentEquals(original)).as("inexact round trip, because of " + canonical.steps).isFalse();
            assertThat(back.contentEquals(expected)).as("round trip exact up to " + canonical.steps).isTrue();
        }
    }

    @AfterAll
    static void writeReport() throws Exception {
        StringBuilder sb = new StringBuilder();
        REPORT.forEach((f, r) -> sb.append(f).append(": ").append(r).append('\n'));
        Path out = Path.of("target", "json-round-trip.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb);
    }
}
