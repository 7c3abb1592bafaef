package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.BulkData;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Fragments;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The writer, clause by clause of PS3.18 Annex F. */
class JsonWriterAnnexFTest {

    private static final int MODALITY = 0x00080060;

    private static String json(Attributes ds) throws IOException {
        return json(new DicomJsonWriter().pretty(false), ds);
    }

    private static String json(DicomJsonWriter w, Attributes ds) throws IOException {
        StringWriter out = new StringWriter();
        w.write(ds, out);
        return out.toString();
    }

    private static Attributes utf8() {
        return new Attributes().setString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 192");
    }

    // ---- F.2.2 object structure -------------------------------------------------------

    @Test void f22_attributesAreNamedByUppercaseTagAndOrderedByIt() throws IOException {
        Attributes ds = new Attributes();
        ds.add(new DicomElement(0x7FE00010, VR.OB, new byte[] {1, 2}));
        ds.add(new DicomElement(0x0009A0FF, VR.LO, "x ".getBytes(StandardCharsets.US_ASCII)));
        ds.add(new DicomElement(0x00080016, VR.UI, "1.2\0".getBytes(StandardCharsets.US_ASCII)));
        assertThat(json(ds)).isEqualTo("{\"00080016\":{\"vr\":\"UI\",\"Value\":[\"1.2\"]},"
                + "\"0009A0FF\":{\"vr\":\"LO\",\"Value\":[\"x\"]},\"7FE00010\":{\"vr\":\"OB\",\"InlineBinary\":\"AQI=\"}}");
    }

    @Test void f22_groupLengthsAreNotIncluded() throws IOException {
        Attributes ds = new Attributes();
        ds.setInt(0x00080000, VR.UL, 24);
        ds.setString(MODALITY, VR.CS, "CT");
        assertThat(json(ds)).isEqualTo("{\"00080060\":{\"vr\":\"CS\",\"Value\":[\"CT\"]}}");
    }

    @Test void f22_aRepeatedTagIsWrittenOnceWithItsFirstValue() throws IOException {
        Attributes ds = new Attributes();
        ds.add(new DicomElement(MODALITY, VR.CS, "CT".getBytes(StandardCharsets.US_ASCII)));
        ds.add(new DicomElement(MODALITY, VR.CS, "MR".getBytes(StandardCharsets.US_ASCII)));
        assertThat(json(ds)).isEqualTo("{\"00080060\":{\"vr\":\"CS\",\"Value\":[\"CT\"]}}");
    }

    @Test void f22_personNameIsAnObjectOfItsComponentGroups() throws IOException {
        Attributes ds = utf8().setString(Tag.PatientName, VR.PN, "Yamada^Tarou=山田^太郎=やまだ^たろう");
        assertThat(json(ds)).contains("\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Yamada^Tarou\","
                + "\"Ideographic\":\"山田^太郎\",\"Phonetic\":\"やまだ^たろう\"}]}");
    }

    @Test void f22_emptyPersonNameGroupsAreLeftOut() throws IOException {
        Attributes ds = utf8().setString(Tag.PatientName, VR.PN, "Doe^John==ドウ", "", "^^^^=^^");
        assertThat(json(ds)).contains("\"Value\":[{\"Alphabetic\":\"Doe^John\",\"Phonetic\":\"ドウ\"},null,null]");
    }

    @Test void f22_personNameOfDelimitersOnlyIsEmpty() throws IOException {
        Attributes ds = new Attributes().setString(0x00080090, VR.PN, "^^^^");
        assertThat(json(ds)).isEqualTo("{\"00080090\":{\"vr\":\"PN\"}}");
    }

    @Test void f22_sequencesHoldItemsAsObjectsNestedToAnyDepth() throws IOException {
        Attributes inner = new Attributes().setString(0x00081150, VR.UI, "1.2.3");
        Attributes middle = new Attributes().setSequence(0x00081199, inner);
        Attributes ds = new Attributes().setSequence(0x00081115, middle, new Attributes());
        assertThat(json(ds)).isEqualTo("{\"00081115\":{\"vr\":\"SQ\",\"Value\":[{\"00081199\":{\"vr\":\"SQ\",\"Value\":["
                + "{\"00081150\":{\"vr\":\"UI\",\"Value\":[\"1.2.3\"]}}]}},{}]}}");
    }

    @Test void f22_aCp246SequenceIsWrittenAsSQ() throws IOException {
        Attributes item = new Attributes().setString(0x00081150, VR.UI, "1.2");
        Attributes ds = new Attributes();
        ds.add(new DicomElement(0x4453100C, VR.UN, Sequence.of(item)));
        assertThat(json(ds)).startsWith("{\"4453100C\":{\"vr\":\"SQ\",\"Value\":[{");
    }

    @Test void f22_itemTextIsDecodedWithTheCharacterSetInScope() throws IOException {
        Attributes latin1Item = new Attributes();
        latin1Item.setBytes(Tag.PatientName, VR.PN, "M\u00fcller".getBytes(StandardCharsets.ISO_8859_1));
        Attributes ownUtf8 = utf8();
        ownUtf8.setBytes(Tag.PatientName, VR.PN, "Gr\u00fcn ".getBytes(StandardCharsets.UTF_8));
        Attributes ds = new Attributes().setString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100")
                .setSequence(0x00101002, latin1Item, ownUtf8);
        assertThat(json(ds)).contains("{\"Alphabetic\":\"Müller\"}").contains("{\"Alphabetic\":\"Grün\"}")
                .contains("\"Value\":[\"ISO_IR 100\"]").contains("\"Value\":[\"ISO_IR 192\"]");
    }

    // ---- F.2.3 value representations ---------------------------------------------------

    @Test void f23_attributeTagsAreEightHexDigitStrings() throws IOException {
        Attributes ds = new Attributes(true).setInt(0x00209165, VR.AT, 0x0018FFFE, 0x7FE00010);
        assertThat(json(ds)).isEqualTo("{\"00209165\":{\"vr\":\"AT\",\"Value\":[\"0018FFFE\",\"7FE00010\"]}}");
    }

    @Test void f23_decimalAndIntegerStringsAreNumbersKeepingTheirDigits() throws IOException {
        Attributes ds = new Attributes().setString(0x00280030, VR.DS, "0.50000", "1.0E+05")
                .setString(0x00200013, VR.IS, "-0042");
        assertThat(json(ds)).isEqualTo("{\"00200013\":{\"vr\":\"IS\",\"Value\":[-42]},"
                + "\"00280030\":{\"vr\":\"DS\",\"Value\":[0.50000,1.0E+05]}}");
    }

    @Test void f23_decimalStringsOutsideTheJsonGrammarAreRewrittenAsJsonNumbers() throws IOException {
        Attributes ds = new Attributes().setString(0x00280030, VR.DS, ".5", "+1", "5.", "007", "-.25e2");
        assertThat(json(ds)).contains("\"Value\":[0.5,1,5,7,-0.25e2]");
    }

    @Test void f23_invalidDecimalTextIsWrittenAsAString() throws IOException {
        Attributes ds = new Attributes().setString(0x00280008, VR.IS, "1A").setString(0x00280030, VR.DS, "NaN", "1");
        assertThat(json(ds)).contains("\"Value\":[\"1A\"]").contains("\"Value\":[\"NaN\",1]");
    }

    @Test void f23_numbersAsStringsPreservesTheTextOfIsDsSvUv() throws IOException {
        Attributes ds = new Attributes().setString(0x00280030, VR.DS, "+1.50").setString(0x00200013, VR.IS, "007");
        ds.setBytes(0x00101010, VR.UV, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1});
        assertThat(json(new DicomJsonWriter().pretty(false).numbersAsStrings(true), ds))
                .contains("\"Value\":[\"+1.50\"]").contains("\"Value\":[\"007\"]").contains("\"Value\":[\"18446744073709551615\"]");
    }

    @Test void f23_binaryNumbersAreJsonNumbersInEitherByteOrder() throws IOException {
        for (boolean big : new boolean[] {false, true}) {
            Attributes ds = new Attributes(big).setInt(0x00280010, VR.US, 65535).setInt(0x00280106, VR.SS, -2)
                    .setInt(0x00081161, VR.UL, -1).setInt(0x00186020, VR.SL, Integer.MIN_VALUE)
                    .setDouble(0x00189218, VR.FD, 0.1).setDouble(0x00109431, VR.FL, 0.1);
            assertThat(json(ds)).as(big ? "big endian" : "little endian").isEqualTo(
                    "{\"00081161\":{\"vr\":\"UL\",\"Value\":[4294967295]},\"00109431\":{\"vr\":\"FL\",\"Value\":[0.1]},"
                    + "\"00186020\":{\"vr\":\"SL\",\"Value\":[-2147483648]},\"00189218\":{\"vr\":\"FD\",\"Value\":[0.1]},"
                    + "\"00280010\":{\"vr\":\"US\",\"Value\":[65535]},\"00280106\":{\"vr\":\"SS\",\"Value\":[-2]}}");
        }
    }

    @Test void f23_floatsUseRoundTrippingDigitsInPlainNotationWhereReadable() throws IOException {
        Attributes ds = new Attributes().setDouble(0x00189218, VR.FD, 862399761.111079, 1e-8, 2.5e300, -0.0, 100)
                .setDouble(0x00109431, VR.FL, -77.2040634);
        assertThat(json(ds)).contains("[862399761.111079,1E-8,2.5E+300,-0,100]").contains("[-77.20406]");
    }

    @Test void f23_64BitIntegersAreExact() throws IOException {
        Attributes ds = new Attributes();
        ds.setBytes(0x00101010, VR.UV, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1});
        ds.setBytes(0x00101011, VR.SV, new byte[] {0, 0, 0, 0, 0, 0, 0, -128});
        assertThat(json(ds)).contains("[18446744073709551615]").contains("[-9223372036854775808]");
    }

    @Test void f23_nanAndInfinityAreRefusedByDefaultBecauseJsonNumbersCannotHoldThem() {
        Attributes ds = new Attributes().setDouble(0x00189218, VR.FD, Double.NaN);
        assertThatThrownBy(() -> json(ds)).isInstanceOf(DicomJsonException.class)
                .hasMessageContaining("(0018,9218)").hasMessageContaining("NaN").hasMessageContaining("AS_STRINGS");
    }

    @Test void f23_nanAndInfinityMayBeWrittenAsStrings() throws IOException {
        Attributes ds = new Attributes().setDouble(0x00189218, VR.FD, Double.NaN, Double.NEGATIVE_INFINITY, 1)
                .setDouble(0x00109431, VR.FL, Double.POSITIVE_INFINITY);
        assertThat(json(new DicomJsonWriter().pretty(false).nonFinite(DicomJsonWriter.NonFinite.AS_STRINGS), ds))
                .contains("[\"Infinity\"]").contains("[\"NaN\",\"-Infinity\",1]");
    }

    // ---- F.2.5 empty values ----------------------------------------------------------

    @Test void f25_anEmptyAttributeHasNoValue() throws IOException {
        Attributes ds = new Attributes().setBytes(Tag.PatientName, VR.PN, new byte[0])
                .setBytes(0x00101010, VR.AS, new byte[0]).setBytes(0x00280106, VR.US, new byte[0])
                .setBytes(0x7FE00010, VR.OW, new byte[0]).setSequence(0x00081115);
        assertThat(json(ds)).isEqualTo("{\"00081115\":{\"vr\":\"SQ\"},\"00100010\":{\"vr\":\"PN\"},"
                + "\"00101010\":{\"vr\":\"AS\"},\"00280106\":{\"vr\":\"US\"},\"7FE00010\":{\"vr\":\"OW\"}}");
    }

    @Test void f25_aValueOfPaddingOnlyIsEmpty() throws IOException {
        Attributes ds = new Attributes().setBytes(0x00100020, VR.LO, "  ".getBytes(StandardCharsets.US_ASCII));
        assertThat(json(ds)).isEqualTo("{\"00100020\":{\"vr\":\"LO\"}}");
    }

    @Test void f25_emptyValuesAmongSeveralAreNull() throws IOException {
        Attributes ds = new Attributes().setString(0x00080008, VR.CS, "ORIGINAL", "", "AXIAL")
                .setString(0x00280030, VR.DS, "", "0.5");
        assertThat(json(ds)).contains("[\"ORIGINAL\",null,\"AXIAL\"]").contains("[null,0.5]");
    }

    // ---- F.2.6 bulk data URI ------------------------------------------------------------

    @Test void f26_valuesLongerThanTheThresholdAreWrittenAsBulkDataUri() throws IOException {
        Attributes item = new Attributes().setBytes(0x00281201, VR.OW, new byte[10]);
        Attributes ds = new Attributes().setBytes(0x00281202, VR.OW, new byte[8]).setSequence(0x00540016, item);
        List<String> asked = new ArrayList<>();
        DicomJsonWriter w = new DicomJsonWriter().pretty(false).bulkData(8, (path, e) -> {
            asked.add(path);
            return "http://x/bulk/" + path;
        });
        assertThat(json(w, ds)).contains("\"00281201\":{\"vr\":\"OW\",\"BulkDataURI\":\"http://x/bulk/00540016/0/00281201\"}")
                .contains("\"00281202\":{\"vr\":\"OW\",\"InlineBinary\":\"AAAAAAAAAAA=\"}");
        assertThat(asked).containsExactly("00540016/0/00281201");
    }

    @Test void f26_aProviderMayDeclineAndTheValueIsInlined() throws IOException {
        Attributes ds = new Attributes().setBytes(0x00281201, VR.OW, new byte[10]);
        assertThat(json(new DicomJsonWriter().pretty(false).bulkData(0, (p, e) -> null), ds)).contains("InlineBinary");
    }

    // ---- F.2.7 inline binary ------------------------------------------------------------

    @Test void f27_bigEndianWordsAreWrittenInLittleEndianOrder() throws IOException {
        Attributes ds = new Attributes(true);
        ds.setBytes(0x00281201, VR.OW, new byte[] {0x01, 0x02, 0x03, 0x04});
        ds.setBytes(0x00640009, VR.OF, new byte[] {0x01, 0x02, 0x03, 0x04});
        ds.setBytes(0x00660040, VR.OL, new byte[] {0x01, 0x02, 0x03, 0x04});
        ds.setBytes(0x00660041, VR.OB, new byte[] {0x01, 0x02, 0x03, 0x04});
        ds.setBytes(0x00291010, VR.UN, new byte[] {0x01, 0x02, 0x03, 0x04});
        String j = json(ds);
        assertThat(inline(j, "00281201")).containsExactly(0x02, 0x01, 0x04, 0x03);
        assertThat(inline(j, "00640009")).containsExactly(0x04, 0x03, 0x02, 0x01);
        assertThat(inline(j, "00660040")).containsExactly(0x04, 0x03, 0x02, 0x01);
        assertThat(inline(j, "00660041")).containsExactly(0x01, 0x02, 0x03, 0x04);
        assertThat(inline(j, "00291010")).as("UN has no known word size: bytes as stored").containsExactly(0x01, 0x02, 0x03, 0x04);
    }

    @Test void f27_bulkDataIsStreamedFromItsFileAndSwappedWhenBigEndian(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("value");
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i += 2) big[i] = (byte) (i >> 1);
        Files.write(f, big);
        Attributes ds = new Attributes(true);
        ds.add(new DicomElement(Tag.PixelData, VR.OW, new BulkData(f, 0, big.length, true)));
        StringWriter out = new StringWriter();
        new DicomJsonWriter().write(ds, out);
        byte[] decoded = inline(out.toString(), "7FE00010");
        assertThat(decoded).hasSize(big.length);
        for (int i = 0; i < big.length; i += 2) {
            if (decoded[i + 1] != big[i] || decoded[i] != big[i + 1]) throw new AssertionError("byte pair " + i + " not swapped");
        }
    }

    @Test void f27_encapsulatedPixelDataIsTheWholeValueFieldWithItemsAndDelimiter() throws IOException {
        Attributes ds = new Attributes();
        ds.add(new DicomElement(Tag.PixelData, VR.OB, new Fragments(List.of(new byte[0], new byte[] {(byte) 0xFF, (byte) 0xD8}))));
        assertThat(inline(json(ds), "7FE00010")).containsExactly(
                0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0,
                0xFE, 0xFF, 0x00, 0xE0, 2, 0, 0, 0, 0xFF, 0xD8,
                0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0);
    }

    // ---- JSON text ----------------------------------------------------------------------

    @Test void stringsEscapeQuotesBackslashesAndControlCharacters() throws IOException {
        Attributes ds = new Attributes().setString(0x00204000, VR.LT, "a\"b\\c\r\nd\u001be");
        assertThat(json(ds)).contains("[\"a\\\"b\\\\c\\r\\nd\\u001be\"]");
    }

    @Test void prettyOutputIndentsByTwoSpacesLikeDcm2json() throws IOException {
        Attributes ds = new Attributes().setString(MODALITY, VR.CS, "CT");
        assertThat(json(new DicomJsonWriter(), ds)).isEqualTo("{\n  \"00080060\": {\n    \"vr\": \"CS\",\n    \"Value\": [\n      \"CT\"\n    ]\n  }\n}");
    }

    private static byte[] inline(String json, String key) {
        int i = json.indexOf("\"" + key + "\"");
        int start = json.indexOf("\"InlineBinary\"", i);
        start = json.indexOf('"', json.indexOf(':', start)) + 1;
        return Base64.getDecoder().decode(json.substring(start, json.indexOf('"', start)));
    }
}
