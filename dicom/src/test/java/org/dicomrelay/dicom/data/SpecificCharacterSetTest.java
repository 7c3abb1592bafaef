package org.dicomrelay.dicom.data;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpecificCharacterSetTest {

    private static final Path CHARSET_FILES =
            Path.of(System.getProperty("pydicom.data", "/usr/lib/python3/dist-packages/pydicom/data"), "charset_files");

    /** Bytes written as a Latin-1 string, so escape sequences read as they do in the standard's examples. */
    private static byte[] raw(String latin1) { return latin1.getBytes(ISO_8859_1); }

    private static SpecificCharacterSet cs(String... terms) { return SpecificCharacterSet.valueOf(terms); }

    // ---- pydicom's sample files (expected names from pydicom/tests/test_charset.py FILE_PATIENT_NAMES) ------------

    /**
     * Patient's Name of each sample file, as the raw value reads with padding removed. pydicom's list drops the
     * trailing empty component group of chrX1/chrX2 because it parses the name; decode() keeps the '='.
     */
    private static final Map<String, String> PATIENT_NAMES = new LinkedHashMap<>();
    static {
        PATIENT_NAMES.put("chrArab", "قباني^لنزار");
        PATIENT_NAMES.put("chrFren", "Buc^Jérôme");
        PATIENT_NAMES.put("chrFrenMulti", "Buc^Jérôme");
        PATIENT_NAMES.put("chrGerm", "Äneas^Rüdiger");
        PATIENT_NAMES.put("chrGreek", "Διονυσιος");
        PATIENT_NAMES.put("chrH31", "Yamada^Tarou=山田^太郎=やまだ^たろう");
        PATIENT_NAMES.put("chrH32", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう");
        PATIENT_NAMES.put("chrHbrw", "שרון^דבורה");
        PATIENT_NAMES.put("chrI2", "Hong^Gildong=洪^吉洞=홍^길동");
        PATIENT_NAMES.put("chrJapMulti", "やまだ^たろう");
        PATIENT_NAMES.put("chrJapMultiExplicitIR6", "やまだ^たろう");
        PATIENT_NAMES.put("chrKoreanMulti", "김희중");
        PATIENT_NAMES.put("chrRuss", "Люкceмбypг");
        PATIENT_NAMES.put("chrX1", "Wang^XiaoDong=王^小東=");
        PATIENT_NAMES.put("chrX2", "Wang^XiaoDong=王^小东=");
        // The Patient's Name is inside an item of (0032,1064): with its own (0008,0005), and inheriting it.
        PATIENT_NAMES.put("chrSQEncoding", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう");
        PATIENT_NAMES.put("chrSQEncoding1", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう");
    }

    /** The Patient's Name of a sample file with the (0008,0005) in scope, item-level sets overriding the data set's. */
    private record ScopedValue(SpecificCharacterSet cs, byte[] value) {}

    private static ScopedValue patientName(String file) throws IOException {
        Map<Integer, MiniScanner.Element> ds = MiniScanner.read(CHARSET_FILES.resolve(file + ".dcm"));
        SpecificCharacterSet set = charsetOf(ds, SpecificCharacterSet.ASCII);
        if (!ds.containsKey(Tag.PatientName)) {
            ds = ds.get(0x00321064).items().get(0);
            set = charsetOf(ds, set);
        }
        return new ScopedValue(set, ds.get(Tag.PatientName).value());
    }

    private static SpecificCharacterSet charsetOf(Map<Integer, MiniScanner.Element> ds, SpecificCharacterSet inherited) {
        MiniScanner.Element e = ds.get(Tag.SpecificCharacterSet);
        if (e == null) return inherited;
        return SpecificCharacterSet.valueOf(
                Arrays.stream(new String(e.value(), US_ASCII).split("\\\\", -1)).map(String::strip).toArray(String[]::new));
    }

    private static Stream<String> sampleFiles() { return PATIENT_NAMES.keySet().stream(); }

    @Test
    void everyFileNamedInFileInfoHasAnExpectedName() throws IOException {
        Matcher m = Pattern.compile("(?m)^(chr\\w+)\\.dcm\\s").matcher(Files.readString(CHARSET_FILES.resolve("FileInfo.txt")));
        TreeSet<String> listed = new TreeSet<>();
        while (m.find()) listed.add(m.group(1));
        assertThat(listed).hasSizeGreaterThanOrEqualTo(12);
        assertThat(PATIENT_NAMES.keySet()).containsAll(listed);
    }

    @ParameterizedTest
    @MethodSource("sampleFiles")
    void sampleFilePatientNameDecodesAsPydicomReadsIt(String file) throws IOException {
        ScopedValue pn = patientName(file);
        assertThat(pn.cs().unknownTerms()).isEmpty();
        assertThat(pn.cs().decode(pn.value(), VR.PN).stripTrailing()).isEqualTo(PATIENT_NAMES.get(file));
    }

    @Test
    void multiValuedPnAndLoOfChrFrenMultiKeepTheirBackslashes() throws IOException {
        Map<Integer, MiniScanner.Element> ds = MiniScanner.read(CHARSET_FILES.resolve("chrFrenMulti.dcm"));
        SpecificCharacterSet set = charsetOf(ds, SpecificCharacterSet.ASCII);
        assertThat(set.decode(ds.get(0x00101001).value(), VR.PN).stripTrailing()).isEqualTo("Buc^Jérôme\\Buc^Jérôme");
        assertThat(set.decode(ds.get(0x00101000).value(), VR.LO).stripTrailing()).isEqualTo("eggs\\spam");
    }

    /**
     * Not byte-exact for chrKoreanMulti, which ends with a redundant ESC ( B (G0 was never left), nor for the
     * chrSQEncoding items, which return to ASCII (ESC ( B) although value 1's G0 is JIS X 0201 Romaji (ESC ( J).
     */
    @ParameterizedTest
    @MethodSource("sampleFiles")
    void encodingTheExpectedNameReproducesTheFileBytes(String file) throws IOException {
        ScopedValue pn = patientName(file);
        byte[] encoded = pn.cs().encode(PATIENT_NAMES.get(file), VR.PN);
        assertThat(pn.cs().decode(encoded, VR.PN)).isEqualTo(PATIENT_NAMES.get(file));
        if (!file.equals("chrKoreanMulti") && !file.startsWith("chrSQEncoding")) {
            assertThat(encoded).isEqualTo(stripPadding(pn.value()));
        }
    }

    private static byte[] stripPadding(byte[] v) {
        int n = v.length;
        while (n > 0 && v[n - 1] == ' ') n--;
        return Arrays.copyOf(v, n);
    }

    // ---- PS3.5 §6.1.2.5: code extensions -------------------------------------------------------------------------

    /** pydicom's ENCODED_NAMES: each single-byte set reached by its escape sequence from an ASCII value 1. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ISO 2022 IR 13  | ﾔﾏﾀﾞ^ﾀﾛｳ    | '\u001b)I\u00d4\u00cf\u00c0\u00de^\u001b)I\u00c0\u00db\u00b3'
            ISO 2022 IR 100 | Buc^Jérôme  | '\u001b-ABuc^\u001b-AJ\u00e9r\u00f4me'
            ISO 2022 IR 101 | Wałęsa      | '\u001b-BWa\u00b3\u00easa'
            ISO 2022 IR 109 | antaŭnomo   | '\u001b-Canta\u00fdnomo'
            ISO 2022 IR 110 | vārds       | '\u001b-Dv\u00e0rds'
            ISO 2022 IR 127 | قباني^لنزار | '\u001b-G\u00e2\u00c8\u00c7\u00e6\u00ea^\u001b-G\u00e4\u00e6\u00d2\u00c7\u00d1'
            ISO 2022 IR 126 | Διονυσιος   | '\u001b-F\u00c4\u00e9\u00ef\u00ed\u00f5\u00f3\u00e9\u00ef\u00f2'
            ISO 2022 IR 138 | שרון^דבורה  | '\u001b-H\u00f9\u00f8\u00e5\u00ef^\u001b-H\u00e3\u00e1\u00e5\u00f8\u00e4'
            ISO 2022 IR 144 | Люкceмбypг  | '\u001b-L\u00bb\u00ee\u00dace\u00dc\u00d1yp\u00d3'
            ISO 2022 IR 148 | Çavuşoğlu   | '\u001b-M\u00c7avu\u00feo\u00f0lu'
            ISO 2022 IR 166 | นามสกุล     | '\u001b-T\u00b9\u00d2\u00c1\u00ca\u00a1\u00d8\u00c5'
            """)
    void singleByteCodeExtensionIsDesignatedByItsEscapeSequence(String term, String expected, String latin1) {
        assertThat(cs("", term).decode(raw("ASCII+" + latin1), VR.PN)).isEqualTo("ASCII+" + expected);
    }

    @Test
    void pnDelimiterRestoresInitialG1_soAGroupWithoutEscapeIsReadInTheInitialSet() {
        // pydicom's missing-escape case: after '^' G1 is undefined again, so the bytes are not katakana.
        assertThat(cs("", "ISO 2022 IR 13").decode(raw("ASCII+\u001b)I\u00d4\u00cf\u00c0\u00de^\u00c0\u00db\u00b3"), VR.PN))
                .isEqualTo("ASCII+ﾔﾏﾀﾞ^ÀÛ³");
        // Same for an ideographic group after '=': KS X 1001 must be designated again.
        assertThat(cs("", "ISO 2022 IR 149").decode(raw("Hong^Gildong=\u001b$)C\u00fb\u00f3=\u00c8\u00ab"), VR.PN))
                .isEqualTo("Hong^Gildong=洪=È«");
    }

    @Test
    void valueOneIsInForceAtTheStartOfEveryValueAndComponentGroup() {
        SpecificCharacterSet set = cs("ISO 2022 IR 100", "ISO 2022 IR 144", "ISO 2022 IR 126");
        byte[] values = raw("Buc^J\u00e9r\u00f4me\\\u001b-F\u00c4\u00e9\u00ef\u00ed\u00f5\u00f3\u00e9\u00ef\u00f2\\"
                + "\u001b-L\u00bb\u00ee\u00da\u0063\u0065\u00dc\u00d1\u0079\u0070\u00d3");
        assertThat(set.decode(values, VR.LO)).isEqualTo("Buc^Jérôme\\Διονυσιος\\Люкceмбypг");
        assertThat(set.decode(raw("Dionysios=\u001b-F\u00c4\u00e9\u00ef\u00ed\u00f5\u00f3\u00e9\u00ef\u00f2=J\u00e9r\u00f4me"), VR.PN))
                .isEqualTo("Dionysios=Διονυσιος=Jérôme");
    }

    @Test
    void backslashByteInsideAJisX0208CharacterIsNotAValueDelimiter() {
        // 2/4 5/12, 2/4 3/13 and 2/4 5/14 are ぼ, そ and ま: their second bytes look like '\', '=' and '^'.
        byte[] v = raw("\u001b$B$\\$=$^\u001b(B\\x");
        assertThat(cs("", "ISO 2022 IR 87").decode(v, VR.LO)).isEqualTo("ぼそま\\x");
        assertThat(cs("", "ISO 2022 IR 87").decode(v, VR.PN)).isEqualTo("ぼそま\\x");
        assertThat(cs("", "ISO 2022 IR 87").encode("ぼそま\\x", VR.PN)).isEqualTo(v);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\r\n", "\n", "\r", "\f", "\t"})
    void textReturnsToInitialSetAtFormatEffectors(String control) {
        // The escape back to ASCII is missing: the control character alone must end the JIS X 0208 run.
        byte[] v = raw("\u001b$B;3ED" + control + ";3ED");
        assertThat(cs("", "ISO 2022 IR 87").decode(v, VR.ST)).isEqualTo("山田" + control + ";3ED");
        assertThat(cs("", "ISO 2022 IR 87").decode(v, VR.LT)).isEqualTo("山田" + control + ";3ED");
    }

    @Test
    void backslashIsADelimiterForMultiValuedVrsButNotInTexts() {
        SpecificCharacterSet set = cs("ISO 2022 IR 100", "ISO 2022 IR 126");
        byte[] v = raw("\u001b-F\u00c4\\\u00c4");
        assertThat(set.decode(v, VR.ST)).isEqualTo("Δ\\Δ");
        assertThat(set.decode(v, VR.UT)).isEqualTo("Δ\\Δ");
        assertThat(set.decode(v, VR.LO)).isEqualTo("Δ\\Ä");
        assertThat(set.decode(v, VR.SH)).isEqualTo("Δ\\Ä");
        assertThat(set.decode(v, VR.UC)).isEqualTo("Δ\\Ä");
    }

    @Test
    void caretAndEqualsRestoreTheInitialSetOnlyInPersonNames() {
        SpecificCharacterSet set = cs("ISO 2022 IR 100", "ISO 2022 IR 126");
        byte[] v = raw("\u001b-F\u00c4^\u00c4=\u00c4");
        assertThat(set.decode(v, VR.PN)).isEqualTo("Δ^Ä=Ä");
        assertThat(set.decode(v, VR.LO)).isEqualTo("Δ^Δ=Δ");
    }

    @Test
    void writerReturnsToValueOneBeforeDelimitersAndAtTheEnd() {
        // pydicom's expected bytes for ISO 2022 IR 6/87/159: JIS X 0212 for 鷗, JIS X 0208 for the rest.
        byte[] expected = raw("Mori^Ogai=\u001b$B?9\u001b(B^\u001b$(Dl?\u001b$B30\u001b(B=\u001b$B$b$j\u001b(B^"
                + "\u001b$B$*$&$,$$\u001b(B");
        SpecificCharacterSet set = cs("ISO 2022 IR 6", "ISO 2022 IR 87", "ISO 2022 IR 159");
        assertThat(set.encode("Mori^Ogai=森^鷗外=もり^おうがい", VR.PN)).isEqualTo(expected);
        // A G1 switch is undone as well when value 1 has a G1 set.
        assertThat(cs("ISO 2022 IR 100", "ISO 2022 IR 126").encode("Jé=Δ", VR.PN))
                .isEqualTo(raw("J\u00e9=\u001b-F\u00c4\u001b-A"));
    }

    @Test
    void writerDesignatesOnlyWhatIsNotAlreadyInForce() {
        SpecificCharacterSet set = cs("ISO 2022 IR 13", "ISO 2022 IR 87", "ISO 2022 IR 159");
        // pydicom writes a redundant ESC ) I before ｱ (katakana is value 1's G1); both forms read the same.
        byte[] pydicom = raw("\u001b$B$\"\u001b(Ja\u001b)I\u00b1\u001b$B%\"\u001b$(DmN\u001b(J");
        assertThat(set.decode(pydicom, VR.LO)).isEqualTo("あaｱア齩");
        assertThat(set.encode("あaｱア齩", VR.LO)).isEqualTo(raw("\u001b$B$\"\u001b(Ja\u00b1\u001b$B%\"\u001b$(DmN\u001b(J"));
    }

    @Test
    void writerReturnsBeforeControlCharactersInTexts() {
        assertThat(cs("", "ISO 2022 IR 87").encode("山田\r\n太郎", VR.ST))
                .isEqualTo(raw("\u001b$B;3ED\u001b(B\r\n\u001b$BB@O:\u001b(B"));
    }

    @Test
    void koreanG1IsRedesignatedAfterEveryDelimiterBecauseValueOneHasNoG1() {
        assertThat(cs("", "ISO 2022 IR 149").encode("Hong^Gildong=洪^吉洞=홍^길동", VR.PN))
                .isEqualTo(raw("Hong^Gildong=\u001b$)C\u00fb\u00f3^\u001b$)C\u00d1\u00ce\u00d4\u00d7=\u001b$)C\u00c8\u00ab^"
                        + "\u001b$)C\u00b1\u00e6\u00b5\u00bf"));
    }

    @Test
    void simplifiedChineseByIsoIr58InG1() {
        SpecificCharacterSet set = cs("", "ISO 2022 IR 58");
        byte[] v = raw("Zhang^XiaoDong=\u001b$)A\u00d5\u00c5^\u001b$)A\u00d0\u00a1\u00b6\u00ab=");
        assertThat(set.decode(v, VR.PN)).isEqualTo("Zhang^XiaoDong=张^小东=");
        assertThat(set.encode("Zhang^XiaoDong=张^小东=", VR.PN)).isEqualTo(v);
    }

    @Test
    void escapeSequencesAreLiteralWithoutCodeExtensions() {
        assertThat(cs("ISO_IR 100").decode(raw("\u001b-F\u00c4"), VR.LO)).isEqualTo("\u001b-FÄ");
    }

    // ---- single-byte sets, UTF-8, GB18030, GBK --------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ISO_IR 100 | Äneas^Rüdiger | \u00c4neas^R\u00fcdiger
            ISO_IR 101 | Wałęsa        | Wa\u00b3\u00easa
            ISO_IR 109 | antaŭnomo     | anta\u00fdnomo
            ISO_IR 110 | vārds         | v\u00e0rds
            ISO_IR 144 | Люкceмбypг    | \u00bb\u00ee\u00dace\u00dc\u00d1yp\u00d3
            ISO_IR 127 | قباني^لنزار   | \u00e2\u00c8\u00c7\u00e6\u00ea^\u00e4\u00e6\u00d2\u00c7\u00d1
            ISO_IR 126 | Διονυσιος     | \u00c4\u00e9\u00ef\u00ed\u00f5\u00f3\u00e9\u00ef\u00f2
            ISO_IR 138 | שרון^דבורה    | \u00f9\u00f8\u00e5\u00ef^\u00e3\u00e1\u00e5\u00f8\u00e4
            ISO_IR 148 | Çavuşoğlu     | \u00c7avu\u00feo\u00f0lu
            ISO_IR 203 | €uro^Œuvre    | \u00a4uro^\u00bcuvre
            ISO_IR 166 | นามสกุล       | \u00b9\u00d2\u00c1\u00ca\u00a1\u00d8\u00c5
            ISO_IR 13  | ﾔﾏﾀﾞ^ﾀﾛｳ      | \u00d4\u00cf\u00c0\u00de^\u00c0\u00db\u00b3
            """)
    void singleByteSetWithoutExtensionsDecodesAndEncodes(String term, String text, String latin1) {
        assertThat(cs(term).decode(raw(latin1), VR.PN)).isEqualTo(text);
        assertThat(cs(term).encode(text, VR.PN)).isEqualTo(raw(latin1));
        assertThat(cs(term).unknownTerms()).isEmpty();
    }

    @Test
    void isoIr13ReadsRomajiBackslashAsTheDelimiter() {
        // ISO-IR 14 has YEN SIGN at 5/12, but DICOM reserves that code for the value delimiter (PS3.5 §6.1.2.3).
        assertThat(cs("ISO_IR 13").decode(raw("\u00b1\\\u00b2"), VR.LO)).isEqualTo("ｱ\\ｲ");
    }

    @Test
    void variableLengthSetsDecodeTheWholeValue() {
        assertThat(cs("ISO_IR 192").decode(raw("\u00e7\u008e\u008b\\\u00f0\u009f\u0098\u0080"), VR.LO)).isEqualTo("王\\😀");
        // GBK trail bytes include 5/12: 乗 is 81 5C and must not be split.
        assertThat(cs("GBK").decode(raw("\u0081\\\\x"), VR.LO)).isEqualTo("乗\\x");
        assertThat(cs("GB18030").decode(raw("\u0081\\\\x"), VR.LO)).isEqualTo("乗\\x");
        assertThat(cs("GB18030").encode("😀", VR.LO)).isEqualTo(raw("\u00949\u00fc6")); // 4-byte form
        assertThat(cs("GB18030").decode(raw("\u00949\u00fc6"), VR.LO)).isEqualTo("😀");
    }

    @Test
    void nonTextVrsAreDefaultRepertoireWhateverTheSet() {
        assertThat(cs("ISO_IR 192").decode(raw("ABC\\\u00e9"), VR.CS)).isEqualTo("ABC\\é");
        assertThat(cs("", "ISO 2022 IR 87").decode(raw("\u001b$B;3"), VR.UI)).isEqualTo("\u001b$B;3");
        assertThat(cs("GB18030").encode("1.2.3", VR.UI)).isEqualTo(raw("1.2.3"));
    }

    @Test
    void unrepresentableCharactersAreWrittenAsQuestionMark() {
        assertThat(SpecificCharacterSet.ASCII.encode("é", VR.LO)).isEqualTo(raw("?"));
        assertThat(cs("ISO_IR 100").encode("Δ^é", VR.PN)).isEqualTo(raw("?^\u00e9"));
        assertThat(cs("", "ISO 2022 IR 87").encode("山é", VR.LO)).isEqualTo(raw("\u001b$B;3\u001b(B?"));
    }

    // ---- leniency ---------------------------------------------------------------------------------------------

    @Test
    void unknownSingleTermFallsBackToLatin1WithoutThrowing() {
        SpecificCharacterSet set = cs("ISO_IR 999");
        assertThat(set.unknownTerms()).containsExactly("ISO_IR 999");
        assertThat(set.terms()).containsExactly("ISO_IR 999");
        assertThat(set.decode(raw("J\u00e9r\u00f4me"), VR.PN)).isEqualTo("Jérôme");
        assertThat(set.encode("Jérôme", VR.PN)).isEqualTo(raw("J\u00e9r\u00f4me"));
        assertThat(set.isUtf8OrAscii()).isFalse();
    }

    @Test
    void unknownExtensionTermIsIgnoredAndReported() {
        SpecificCharacterSet set = cs("ISO 2022 IR 100", "ISO 2022 IR 146");
        assertThat(set.unknownTerms()).containsExactly("ISO 2022 IR 146");
        assertThat(set.decode(raw("CITIZEN^J\u00e9r\u00f4me"), VR.PN)).isEqualTo("CITIZEN^Jérôme");
    }

    @Test
    void setsThatForbidCodeExtensionUseValueOneAndReportTheRest() {
        SpecificCharacterSet set = cs("ISO_IR 192", "GB18030");
        assertThat(set.unknownTerms()).containsExactly("GB18030");
        assertThat(set.decode(raw("J\u00c3\u00a9r\u00c3\u00b4me"), VR.PN)).isEqualTo("Jérôme");
        assertThat(cs("", "ISO_IR 192").unknownTerms()).containsExactly("ISO_IR 192");
    }

    @Test
    void noOrEmptyValueIsTheDefaultRepertoire() {
        assertThat(SpecificCharacterSet.valueOf()).isSameAs(SpecificCharacterSet.ASCII);
        assertThat(SpecificCharacterSet.valueOf((String[]) null)).isSameAs(SpecificCharacterSet.ASCII);
        assertThat(SpecificCharacterSet.valueOf("")).isSameAs(SpecificCharacterSet.ASCII);
        assertThat(SpecificCharacterSet.ASCII.terms()).isEmpty();
        assertThat(SpecificCharacterSet.ASCII.isUtf8OrAscii()).isTrue();
        assertThat(cs("ISO_IR 192").isUtf8OrAscii()).isTrue();
        assertThat(cs("ISO 2022 IR 6").isUtf8OrAscii()).isTrue();
        assertThat(cs("ISO_IR 100").isUtf8OrAscii()).isFalse();
        assertThat(cs("", "ISO 2022 IR 87").isUtf8OrAscii()).isFalse();
    }

    @Test
    void highBytesWithoutADeclaredG1AreReadAsLatin1() {
        assertThat(SpecificCharacterSet.ASCII.decode(raw("J\u00e9r\u00f4me"), VR.PN)).isEqualTo("Jérôme");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ISO_IR 192              | '\u00c3(' | \ufffd(
            ,ISO 2022 IR 87         | '\u001b$B;' | \ufffd
            ,ISO 2022 IR 149        | '\u001b$)C\u00b1A' | \ufffdA
            ,ISO 2022 IR 149        | '\u001b$)C\u00b1' | \ufffd
            ,ISO 2022 IR 87         | 'a\u001b-Zb' | a\ufffdb
            ,ISO 2022 IR 87         | 'a\u001b$' | a\ufffd
            ISO 2022 IR 100,ISO 2022 IR 126 | '\u001b-F\u00ae' | \ufffd
            """)
    void malformedBytesBecomeReplacementCharacters(String terms, String latin1, String expected) {
        SpecificCharacterSet set = SpecificCharacterSet.valueOf(terms.split(",", -1));
        assertThat(set.decode(raw(latin1), VR.LO)).isEqualTo(expected);
    }

    // ---- properties ------------------------------------------------------------------------------------------

    /** A set and characters from its repertoire; the writer must get every string of them back intact. */
    private record Repertoire(List<String> terms, String chars) {
        @Override public String toString() { return terms + " " + chars.substring(0, Math.min(12, chars.length())); }
    }

    private static final String LATIN1 = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ¡£§°±µ¿";
    private static final String LATIN2 = "ĄąŁłĽľŚśŠšŞşŤťŹźŽžŻżŔŕĂăĹĺĆćČčĘęĚěĎďĐđŃńŇňŐőŘřŮůŰűŢţ";
    private static final String LATIN3 = "ĦħĤĥİıŞşĞğĴĵŻżĊċĈĉĠġĜĝŬŭŜŝ";
    private static final String LATIN4 = "ĄąĸŖŗĨĩĻļŠšĒēĢģŦŧŽžŊŋĀāĮįČčĘęĖėĪīŅņŌōĶķŲųŨũŪū";
    private static final String CYRILLIC = "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюяЁё";
    private static final String ARABIC = "،؛؟ءآأؤإئابةتثجحخدذرزسشصضطظعغـفقكلمنهوىيًٌٍَُِّْ";
    private static final String GREEK = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρςστυφχψωάέήίόύώ";
    private static final String HEBREW = "אבגדהוזחטיךכלםמןנסעףפץצקרשת";
    private static final String LATIN5 = "ĞğİıŞşÇçÖöÜüÂâ";
    private static final String LATIN9 = "€ŠšŽžŒœŸéàü";
    private static final String THAI = "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรฤลฦวศษสหฬอฮฯะัาำิีึืฺุู฿เแโใไๅๆ็่้๊๋์ํ๎๏๐๑๒๓๔๕๖๗๘๙๚๛";
    private static final String KATAKANA_HALF = "｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ";
    private static final String JAPANESE = "あいうえおかきくけこやまだたろうぼそアイウエオヤマダァヶ山田太郎森外日本語漢字東京病院医師表";
    private static final String JIS_X0212 = "鷗齩";
    private static final String KOREAN = "가나다라마바사아자차카타파하홍길동김희중한국어서울병원洪吉洞金韓國";
    private static final String GB2312 = "王小东张中华人民共和国北京上海医院病人姓名";

    private static final List<Repertoire> REPERTOIRES = List.of(
            new Repertoire(List.of(), ""),
            new Repertoire(List.of("ISO_IR 100"), LATIN1),
            new Repertoire(List.of("ISO_IR 101"), LATIN2),
            new Repertoire(List.of("ISO_IR 109"), LATIN3),
            new Repertoire(List.of("ISO_IR 110"), LATIN4),
            new Repertoire(List.of("ISO_IR 144"), CYRILLIC),
            new Repertoire(List.of("ISO_IR 127"), ARABIC),
            new Repertoire(List.of("ISO_IR 126"), GREEK),
            new Repertoire(List.of("ISO_IR 138"), HEBREW),
            new Repertoire(List.of("ISO_IR 148"), LATIN5),
            new Repertoire(List.of("ISO_IR 203"), LATIN9),
            new Repertoire(List.of("ISO_IR 166"), THAI),
            new Repertoire(List.of("ISO_IR 13"), KATAKANA_HALF),
            new Repertoire(List.of("ISO_IR 192"), LATIN1 + GREEK + JAPANESE + KOREAN),
            new Repertoire(List.of("GB18030"), GB2312 + "東華國" + LATIN1),
            new Repertoire(List.of("GBK"), GB2312 + "東華國"),
            new Repertoire(List.of("", "ISO 2022 IR 100"), LATIN1),
            new Repertoire(List.of("ISO 2022 IR 100", "ISO 2022 IR 126", "ISO 2022 IR 144"), LATIN1 + GREEK + CYRILLIC),
            new Repertoire(List.of("", "ISO 2022 IR 101", "ISO 2022 IR 109", "ISO 2022 IR 110", "ISO 2022 IR 148",
                    "ISO 2022 IR 203"), LATIN2 + LATIN3 + LATIN4 + LATIN5 + LATIN9),
            new Repertoire(List.of("", "ISO 2022 IR 127", "ISO 2022 IR 138", "ISO 2022 IR 166"), ARABIC + HEBREW + THAI),
            new Repertoire(List.of("", "ISO 2022 IR 87"), JAPANESE),
            new Repertoire(List.of("ISO 2022 IR 13", "ISO 2022 IR 87", "ISO 2022 IR 159"),
                    KATAKANA_HALF + JAPANESE + JIS_X0212),
            new Repertoire(List.of("", "ISO 2022 IR 149"), KOREAN),
            new Repertoire(List.of("", "ISO 2022 IR 58"), GB2312),
            new Repertoire(List.of("", "ISO 2022 IR 87", "ISO 2022 IR 149", "ISO 2022 IR 58"), JAPANESE + KOREAN + GB2312));

    private record Sample(Repertoire repertoire, VR vr, String text) {}

    @Provide
    Arbitrary<Sample> repertoireStrings() {
        return Arbitraries.of(REPERTOIRES).flatMap(r -> Arbitraries.of(VR.PN, VR.LO, VR.ST).flatMap(vr -> {
            String delimiters = vr == VR.PN ? "^=\\" : vr == VR.LO ? "\\" : "\\\r\n\t";
            return Arbitraries.strings().withChars(r.chars() + "AZaz09 .-" + delimiters).ofMaxLength(20)
                    .map(s -> new Sample(r, vr, s));
        }));
    }

    @Property(tries = 600)
    void encodeThenDecodeGivesTheStringBackForEachSetsRepertoire(@ForAll("repertoireStrings") Sample s) {
        SpecificCharacterSet set = SpecificCharacterSet.valueOf(s.repertoire().terms().toArray(String[]::new));
        assertThat(set.decode(set.encode(s.text(), s.vr()), s.vr())).isEqualTo(s.text());
    }

    @Provide
    Arbitrary<byte[]> hostileBytes() {
        // Weighted towards escape sequences, delimiters and lone halves of 2-byte characters.
        Arbitrary<String> piece = Arbitraries.of("\u001b$B", "\u001b$(D", "\u001b$)C", "\u001b$)A", "\u001b(B", "\u001b(J",
                "\u001b)I", "\u001b-F", "\u001b", "\u001b$", "\\", "^", "=", "\r", ";3", "$", "\u00b1", "\u00c8\u00ab",
                "\u0081", "\u00ff", "\u00e7\u008e", "A");
        return piece.list().ofMaxSize(16).map(l -> raw(String.join("", l)));
    }

    @Property(tries = 300)
    void decodingNeverThrows(@ForAll("hostileBytes") byte[] bytes) {
        for (Repertoire r : REPERTOIRES) {
            SpecificCharacterSet set = SpecificCharacterSet.valueOf(r.terms().toArray(String[]::new));
            for (VR vr : new VR[] {VR.PN, VR.LO, VR.ST, VR.CS}) {
                assertThatCode(() -> set.decode(bytes, vr)).doesNotThrowAnyException();
            }
        }
    }

    // ---- test-only reader -------------------------------------------------------------------------------------

    /**
     * Just enough of PS3.10 and PS3.5 §7 to pull values out of pydicom's charset samples: preamble, group 2,
     * then explicit or implicit VR little endian with defined lengths, descending into defined-length items.
     */
    static final class MiniScanner {
        record Element(int tag, String vr, byte[] value, List<Map<Integer, Element>> items) {}

        static Map<Integer, Element> read(Path file) throws IOException {
            byte[] b = Files.readAllBytes(file);
            if (b.length < 132 || !"DICM".equals(new String(b, 128, 4, US_ASCII))) throw new IOException("not Part 10: " + file);
            Map<Integer, Element> meta = new LinkedHashMap<>();
            int p = 132;
            while (p + 8 <= b.length && u16(b, p) == 2) p = next(b, p, false, meta);
            String ts = new String(meta.get(Tag.TransferSyntaxUID).value(), US_ASCII).replace("\0", "").strip();
            Map<Integer, Element> ds = new LinkedHashMap<>();
            parse(b, p, b.length, ts.equals("1.2.840.10008.1.2"), ds);
            return ds;
        }

        private static void parse(byte[] b, int p, int end, boolean implicit, Map<Integer, Element> into) {
            while (p + 8 <= end) p = next(b, p, implicit, into);
        }

        private static int next(byte[] b, int p, boolean implicit, Map<Integer, Element> into) {
            int tag = u16(b, p) << 16 | u16(b, p + 2);
            String vr;
            long len;
            int header = 8;
            if (implicit) {
                vr = "UN"; // no dictionary here: the values are only handed over as bytes
                len = u32(b, p + 4);
            } else {
                vr = new String(b, p + 4, 2, US_ASCII);
                if (VR.valueOf(vr).longHeader()) {
                    len = u32(b, p + 8);
                    header = 12;
                } else {
                    len = u16(b, p + 6);
                }
            }
            if (len == 0xFFFFFFFFL) throw new IllegalStateException("undefined length: not needed for the samples");
            int start = p + header, end = start + (int) len;
            List<Map<Integer, Element>> items = new ArrayList<>();
            if (vr.equals("SQ")) {
                for (int q = start; q < end; ) {
                    int itemEnd = q + 8 + (int) u32(b, q + 4);
                    Map<Integer, Element> item = new LinkedHashMap<>();
                    parse(b, q + 8, itemEnd, implicit, item);
                    items.add(item);
                    q = itemEnd;
                }
            }
            into.put(tag, new Element(tag, vr, Arrays.copyOfRange(b, start, end), items));
            return end;
        }

        private static int u16(byte[] b, int p) { return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8; }

        private static long u32(byte[] b, int p) { return (u16(b, p) | (long) u16(b, p + 2) << 16); }
    }
}
