package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Fragments;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reader, clause by clause of PS3.18 Annex F, and its refusals. */
class JsonReaderAnnexFTest {

    private static Attributes read(String json) throws IOException {
        return new DicomJsonReader().read(json);
    }

    private static String text(Attributes ds, int tag) {
        return new String(ds.getBytes(tag), StandardCharsets.ISO_8859_1);
    }

    // ---- F.2.2 structure and character sets ----------------------------------------------

    @Test void f22_personNameObjectsBecomeComponentGroupsJoinedByEquals() throws IOException {
        Attributes ds = read("{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 192\"]},\"00100010\":{\"vr\":\"PN\",\"Value\":["
                + "{\"Alphabetic\":\"Yamada^Tarou\",\"Ideographic\":\"山田^太郎\"},{\"Phonetic\":\"ドウ\"},null]}}");
        assertThat(new String(ds.getBytes(Tag.PatientName), StandardCharsets.UTF_8)).isEqualTo("Yamada^Tarou=山田^太郎\\==ドウ\\");
    }

    @Test void f22_textIsEncodedWithTheObjectsOwnCharacterSetWhereverItAppears() throws IOException {
        // (0008,0005) after the element in the JSON text: it still governs the whole object.
        Attributes ds = read("{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Müller\"}]},"
                + "\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 100\"]}}");
        assertThat(ds.getBytes(Tag.PatientName)).containsExactly('M', 0xFC, 'l', 'l', 'e', 'r');
    }

    @Test void f22_textTheCharacterSetCannotHoldIsRefusedNotReplaced() {
        assertThatThrownBy(() -> read("{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Müller\"}]}}"))
                .isInstanceOf(DicomJsonException.class).hasMessageContaining("00100010").hasMessageContaining("cannot be encoded");
    }

    @Test void f22_itemsInheritTheCharacterSetOrDeclareTheirOwn() throws IOException {
        Attributes ds = read("{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 100\"]},\"00101002\":{\"vr\":\"SQ\",\"Value\":["
                + "{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Grün\"}]}},"
                + "{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 192\"]},\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Grün\"}]}}]}}");
        List<Attributes> items = ds.getSequence(0x00101002).items();
        assertThat(items.get(0).getBytes(Tag.PatientName)).containsExactly('G', 'r', 0xFC, 'n');
        assertThat(items.get(1).getBytes(Tag.PatientName)).isEqualTo("Grün ".getBytes(StandardCharsets.UTF_8));
        assertThat(items.get(0).getString(Tag.PatientName)).as("decoding through the parent").isEqualTo("Grün");
    }

    @Test void f22_nestedSequencesAndEmptyItemsAreRead() throws IOException {
        Attributes ds = read("{\"00081115\":{\"vr\":\"SQ\",\"Value\":[{\"00081199\":{\"vr\":\"SQ\",\"Value\":["
                + "{\"00081150\":{\"vr\":\"UI\",\"Value\":[\"1.2.3\"]}}]}},{}]},\"00081140\":{\"vr\":\"SQ\"}}");
        Sequence outer = ds.getSequence(0x00081115);
        assertThat(outer.items()).hasSize(2);
        assertThat(outer.items().get(1).isEmpty()).isTrue();
        Attributes inner = outer.items().get(0).getSequence(0x00081199).items().get(0);
        assertThat(inner.getBytes(0x00081150)).containsExactly('1', '.', '2', '.', '3', 0);
        assertThat(ds.getSequence(0x00081140).items()).isEmpty();
    }

    @Test void f22_anArrayOfDataSetsIsReadAsSeveral() throws IOException {
        List<Attributes> all = new DicomJsonReader().readAll(new StringReader("[{\"00080060\":{\"vr\":\"CS\",\"Value\":[\"CT\"]}},{}]"));
        assertThat(all).hasSize(2);
        assertThat(all.get(0).getString(0x00080060)).isEqualTo("CT");
    }

    // ---- F.2.3 value representations ------------------------------------------------------

    @Test void f23_decimalAndIntegerStringsAcceptNumbersOrStrings() throws IOException {
        Attributes ds = read("{\"00200013\":{\"vr\":\"IS\",\"Value\":[7,\"-3\",1.0E2]},"
                + "\"00280030\":{\"vr\":\"DS\",\"Value\":[0.5,\"1.25\",null]}}");
        assertThat(text(ds, 0x00200013)).isEqualTo("7\\-3\\100");
        assertThat(text(ds, 0x00280030)).isEqualTo("0.5\\1.25\\ ");
    }

    @Test void f23_aDecimalNumberTooLongForDsIsRoundedToSixteenCharacters() throws IOException {
        Attributes ds = read("{\"00280030\":{\"vr\":\"DS\",\"Value\":[0.30000000000000004441]}}");
        assertThat(ds.getStrings(0x00280030)[0]).hasSizeLessThanOrEqualTo(16);
        assertThat(Double.parseDouble(ds.getStrings(0x00280030)[0])).isEqualTo(0.3);
    }

    @Test void f23_attributeTagsAreReadFromHexStrings() throws IOException {
        Attributes ds = read("{\"00209165\":{\"vr\":\"AT\",\"Value\":[\"0018fffe\",\"7FE00010\"]}}");
        assertThat(ds.getInts(0x00209165)).containsExactly(0x0018FFFE, 0x7FE00010);
    }

    @Test void f23_binaryNumbersAreEncodedLittleEndianAndRangeChecked() throws IOException {
        Attributes ds = read("{\"00081161\":{\"vr\":\"UL\",\"Value\":[4294967295]},\"00101010\":{\"vr\":\"UV\",\"Value\":[\"18446744073709551615\"]},"
                + "\"00109431\":{\"vr\":\"FL\",\"Value\":[0.1,\"-Infinity\"]},\"00280106\":{\"vr\":\"SS\",\"Value\":[-2]}}");
        assertThat(ds.getBytes(0x00081161)).containsExactly(0xFF, 0xFF, 0xFF, 0xFF);
        assertThat(ds.getBytes(0x00101010)).containsExactly(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
        assertThat(ds.getDoubles(0x00109431)).containsExactly((float) 0.1, Double.NEGATIVE_INFINITY);
        assertThat(ds.getInts(0x00280106)).containsExactly(-2);
        assertThatThrownBy(() -> read("{\"00280010\":{\"vr\":\"US\",\"Value\":[65536]}}"))
                .isInstanceOf(DicomJsonException.class).hasMessageContaining("00280010").hasMessageContaining("out of range");
        assertThatThrownBy(() -> read("{\"00280010\":{\"vr\":\"US\",\"Value\":[1.5]}}")).hasMessageContaining("not an integer");
    }

    // ---- F.2.5 empty values ---------------------------------------------------------------

    @Test void f25_anAttributeWithoutValueIsEmpty() throws IOException {
        Attributes ds = read("{\"00100010\":{\"vr\":\"PN\"},\"7FE00010\":{\"vr\":\"OW\"}}");
        assertThat(ds.get(Tag.PatientName).isEmpty()).isTrue();
        assertThat(ds.get(Tag.PixelData).isEmpty()).isTrue();
    }

    @Test void f25_nullValuesAreEmptyValues() throws IOException {
        Attributes ds = read("{\"00080008\":{\"vr\":\"CS\",\"Value\":[\"ORIGINAL\",null,\"AXIAL\"]}}");
        assertThat(ds.getStrings(0x00080008)).containsExactly("ORIGINAL", "", "AXIAL");
    }

    // ---- F.2.6 bulk data ------------------------------------------------------------------

    @Test void f26_aBulkDataUriWithoutResolverIsAnErrorTheCallerCanHandle() {
        assertThatThrownBy(() -> read("{\"7FE00010\":{\"vr\":\"OW\",\"BulkDataURI\":\"http://x/1\"}}"))
                .isInstanceOfSatisfying(UnresolvedBulkDataException.class, e -> {
                    assertThat(e.uri()).isEqualTo("http://x/1");
                    assertThat(e.tag()).isEqualTo(Tag.PixelData);
                });
    }

    @Test void f26_aResolverFetchesTheBulkData() throws IOException {
        Attributes ds = new DicomJsonReader().bulkDataUriResolver((uri, tag, vr) -> new byte[] {1, 2})
                .read("{\"7FE00010\":{\"vr\":\"OW\",\"BulkDataURI\":\"http://x/1\"}}");
        assertThat(ds.getBytes(Tag.PixelData)).containsExactly(1, 2);
    }

    // ---- F.2.7 inline binary ----------------------------------------------------------------

    @Test void f27_inlineBinaryIsDecodedAsLittleEndianBytes() throws IOException {
        Attributes ds = read("{\"00281201\":{\"vr\":\"OW\",\"InlineBinary\":\"AQIDBA==\"}}");
        assertThat(ds.bigEndian()).isFalse();
        assertThat(ds.getBytes(0x00281201)).containsExactly(1, 2, 3, 4);
    }

    @Test void f27_encapsulatedPixelDataComesBackAsFragments() throws IOException {
        Attributes ds = new Attributes();
        ds.add(new DicomElement(Tag.PixelData, VR.OB, new Fragments(List.of(new byte[0], new byte[] {1, 2}, new byte[] {3, 4}))));
        StringWriter json = new StringWriter();
        new DicomJsonWriter().write(ds, json);
        Attributes back = read(json.toString());
        assertThat(back.get(Tag.PixelData).value()).isInstanceOf(Fragments.class);
        assertThat(back.contentEquals(ds)).isTrue();
    }

    @Test void f27_nativePixelDataThatIsNotAnItemLayoutStaysBytes() throws IOException {
        // Starts with an item tag but does not end with a sequence delimiter.
        Attributes ds = read("{\"7FE00010\":{\"vr\":\"OB\",\"InlineBinary\":\"/v8A4AAAAAABAg==\"}}");
        assertThat(ds.get(Tag.PixelData).value()).isInstanceOf(byte[].class);
    }

    // ---- refusals, each with a clear message ---------------------------------------------

    @Test void jsonNestedDeeperThanTheLimitIsRefusedWithoutExhaustingTheStack() {
        String deep = "[".repeat(1_000_000);
        assertThatThrownBy(() -> read(deep)).isInstanceOf(DicomJsonException.class)
                .hasMessageContaining("nested deeper than the limit of " + DicomJsonReader.DEFAULT_MAX_DEPTH);
    }

    @Test void theDepthLimitCountsSequenceNesting() throws IOException {
        String twoLevels = "{\"00081115\":{\"vr\":\"SQ\",\"Value\":[{\"00081199\":{\"vr\":\"SQ\",\"Value\":[{}]}}]}}";
        assertThat(new DicomJsonReader().maxDepth(7).read(twoLevels).size()).isEqualTo(1);
        assertThatThrownBy(() -> new DicomJsonReader().maxDepth(6).read(twoLevels))
                .hasMessageContaining("nested deeper than the limit of 6");
    }

    @Test void malformedJsonIsReportedWithItsOffset() {
        assertThatThrownBy(() -> read("{\"00080060\":{\"vr\":\"CS\",\"Value\":[\"CT\",]}}"))
                .isInstanceOf(DicomJsonException.class).hasMessageStartingWith("at character 37:")
                .satisfies(e -> assertThat(((DicomJsonException) e).offset()).isEqualTo(37));
    }

    @Test void notDicomJsonIsRefusedNamingTheAttribute() {
        assertThatThrownBy(() -> read("{\"0008006\":{\"vr\":\"CS\"}}")).hasMessageContaining("8 hexadecimal digits");
        assertThatThrownBy(() -> read("{\"00080060\":{\"Value\":[\"CT\"]}}")).hasMessageContaining("00080060: has no \"vr\"");
        assertThatThrownBy(() -> read("{\"00080060\":{\"vr\":\"XX\"}}")).hasMessageContaining("must name a DICOM VR");
        assertThatThrownBy(() -> read("{\"00280010\":{\"vr\":\"OW\",\"Value\":[1],\"InlineBinary\":\"AA==\"}}")).hasMessageContaining("at most one");
        assertThatThrownBy(() -> read("{\"00280010\":{\"vr\":\"OW\",\"Value\":[1]}}")).hasMessageContaining("InlineBinary or BulkDataURI");
        assertThatThrownBy(() -> read("{\"00080060\":{\"vr\":\"CS\"},\"00080060\":{\"vr\":\"CS\"}}")).hasMessageContaining("duplicate member name");
        assertThatThrownBy(() -> read("{\"00081115\":{\"vr\":\"SQ\",\"Value\":[{\"00081150\":{\"vr\":\"UI\",\"Value\":[1]}}]}}"))
                .hasMessageContaining("00081115/0/00081150: UI values must be strings");
        assertThatThrownBy(() -> read("{\"00204000\":{\"vr\":\"LT\",\"Value\":[\"a\",\"b\"]}}")).hasMessageContaining("single-valued");
        assertThatThrownBy(() -> read("[]")).hasMessageContaining("must be a JSON object");
    }
}
