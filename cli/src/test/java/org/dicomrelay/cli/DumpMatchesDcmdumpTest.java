package org.dicomrelay.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Line for line the same as DCMTK's dcmdump on files of every structure (explicit and implicit VR,
 * big endian, deflated, encapsulated, nested and CP-246 sequences, private elements), except for
 * what our dictionaries name differently:
 * <ul>
 * <li>private elements: dcmdump knows vendors' private dictionaries, we print "Unknown Tag & Data";</li>
 * <li>UIDs shown by name ("=..."): dcmdump has its own names (=LittleEndianExplicit), we the PS3.6
 *     keywords (=ExplicitVRLittleEndian);</li>
 * <li>compressed transfer syntaxes in "# Used TransferSyntax:": DCMTK's names vs PS3.6 names;</li>
 * <li>floating point values: both print C's %.9g (FL) and %.17g (FD), but DCMTK's own formatter
 *     sometimes gives a tenth digit (178.0799255 for %.9g's 178.079926); compared as values.</li>
 * </ul>
 * Where we deliberately differ on other files (decoded text instead of raw bytes, control
 * characters shown as '.', no empty meta header for bare data sets), those files are not listed.
 */
class DumpMatchesDcmdumpTest {

    private static final Pattern LINE = Pattern.compile("^( *)(\\([0-9a-f]{4},[0-9a-f]{4}\\)) (\\S\\S) (.*?) +#\\s*(\\S+),\\s*(\\d+) (.*)$");

    @ParameterizedTest
    @ValueSource(strings = {"test_files/CT_small.dcm", "test_files/MR_small.dcm", "test_files/MR_small_bigendian.dcm",
            "test_files/rtplan.dcm", "test_files/rtdose.dcm", "test_files/JPEG2000.dcm", "test_files/UN_sequence.dcm",
            "test_files/waveform_ecg.dcm", "test_files/image_dfl.dcm", "test_files/liver_1frame.dcm", "test_files/reportsi.dcm",
            "test_files/SC_rgb_small_odd.dcm", "test_files/priv_SQ.dcm", "test_files/badVR.dcm", "palettes/fall.dcm"})
    void dumpMatchesDcmdumpLineForLine(String relative) throws Exception {
        String file = SampleFiles.file(relative).toString();
        List<String> ours = DumpRun.of("dump", file).lines().stream().map(DumpMatchesDcmdumpTest::normalise).toList();
        List<String> theirs = dcmdump(file).stream().map(DumpMatchesDcmdumpTest::normalise).toList();
        assertThat(ours).containsExactlyElementsOf(theirs);
    }

    static String normalise(String line) {
        if (line.startsWith("# Used TransferSyntax: ") && !line.matches("# Used TransferSyntax: (Little|Big) Endian (Ex|Im)plicit")
                && !line.contains("Deflated")) {
            return "# Used TransferSyntax: (a compressed syntax)";
        }
        Matcher m = LINE.matcher(line);
        if (!m.matches()) return line;
        String tag = m.group(2), value = m.group(4), name = m.group(7);
        int group = Integer.parseInt(tag.substring(1, 5), 16), element = Integer.parseInt(tag.substring(6, 10), 16);
        if ((group & 1) == 1 && element > 0xFF) name = "(private)";
        if (value.startsWith("=")) value = "=(UID name)";
        if (m.group(3).matches("FL|OF")) value = floats(value, true);
        if (m.group(3).matches("FD|OD")) value = floats(value, false);
        return m.group(1) + tag + " " + m.group(3) + " " + value + " # " + m.group(5) + "," + m.group(6) + " " + name;
    }

    private static String floats(String value, boolean single) {
        if (value.startsWith("(")) return value;
        StringBuilder sb = new StringBuilder();
        for (String v : value.replace("...", "").split("\\\\")) {
            if (v.isEmpty()) continue;
            sb.append(single ? Float.toString(Float.parseFloat(v)) : Double.toString(Double.parseDouble(v))).append('\\');
        }
        return sb.toString();
    }

    private static List<String> dcmdump(String file) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("dcmdump", file).redirectErrorStream(false).start();
        } catch (IOException e) {
            return fail("dcmdump (DCMTK) is not installed: run scripts/test, which installs dcmtk (" + e.getMessage() + ")");
        }
        byte[] out = p.getInputStream().readAllBytes();
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor()).as("dcmdump exit code").isZero();
        return new String(out, StandardCharsets.ISO_8859_1).lines().toList();
    }
}
