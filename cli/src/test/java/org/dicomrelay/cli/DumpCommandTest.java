package org.dicomrelay.cli;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.json.DicomJsonReader;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dicom-relay dump}, run in-process on pydicom's sample files. */
class DumpCommandTest {

    private static String sample(String relative) {
        return SampleFiles.file(relative).toString();
    }

    private static final String CT = sample("test_files/CT_small.dcm");

    @Test void printsElementLinesInDcmdumpsLayout() {
        DumpRun r = DumpRun.of("dump", CT);
        assertThat(r.exitCode()).isZero();
        assertThat(r.lines()).contains(
                "(0008,0005) CS [ISO_IR 100]                             #  10, 1 SpecificCharacterSet",
                "(0010,0010) PN [CompressedSamples^CT1]                  #  22, 1 PatientName",
                "(0008,0050) SH (no value available)                     #   0, 0 AccessionNumber",
                "(0008,0016) UI =CTImageStorage                          #  26, 1 SOPClassUID",
                "(0043,1025) SS 1\\2\\3\\748\\749\\750                        #  12, 6 Unknown Tag & Data",
                "(0002,0003) UI [1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322] #  48, 1 MediaStorageSOPInstanceUID");
    }

    @Test void headerNamesTheMetaInformationAndTheDataSetWithTheirTransferSyntaxes() {
        assertThat(DumpRun.of("dump", CT).lines().subList(0, 6)).containsExactly(
                "", "# Dicom-File-Format", "", "# Dicom-Meta-Information-Header", "# Used TransferSyntax: Little Endian Explicit",
                "(0002,0000) UL 192                                      #   4, 1 FileMetaInformationGroupLength");
        assertThat(DumpRun.of("dump", CT).lines()).containsSubsequence("", "# Dicom-Data-Set", "# Used TransferSyntax: Little Endian Explicit");
    }

    @Test void sequenceItemsAreIndentedTwoSpacesPerLevelBetweenDelimitationLines() {
        assertThat(DumpRun.of("dump", CT).lines()).containsSubsequence(
                "(0010,1002) SQ (Sequence with explicit length #=2)      #  72, 1 OtherPatientIDsSequence",
                "  (fffe,e000) na (Item with explicit length #=2)          #  28, 1 Item",
                "    (0010,0020) LO [ABCD1234]                               #   8, 1 PatientID",
                "    (0010,0022) CS [TEXT]                                   #   4, 1 TypeOfPatientID",
                "  (fffe,e00d) na (ItemDelimitationItem for re-encoding)   #   0, 0 ItemDelimitationItem",
                "  (fffe,e000) na (Item with explicit length #=2)          #  28, 1 Item",
                "    (0010,0020) LO [1234ABCD]                               #   8, 1 PatientID",
                "    (0010,0022) CS [TEXT]                                   #   4, 1 TypeOfPatientID",
                "  (fffe,e00d) na (ItemDelimitationItem for re-encoding)   #   0, 0 ItemDelimitationItem",
                "(fffe,e0dd) na (SequenceDelimitationItem for re-encod.) #   0, 0 SequenceDelimitationItem");
    }

    @Test void nestedUndefinedLengthSequencesAreIndentedDeeper() {
        assertThat(DumpRun.of("dump", sample("test_files/UN_sequence.dcm")).lines()).containsSubsequence(
                "(4453,100c) SQ (Sequence with undefined length #=1)     # u/l, 1 Unknown Tag & Data",
                "      (fffe,e000) na (Item with undefined length #=2)         # u/l, 1 Item",
                "            (0008,1150) UI =CTImageStorage                          #  26, 1 ReferencedSOPClassUID",
                "          (fffe,e00d) na (ItemDelimitationItem)                   #   0, 0 ItemDelimitationItem");
    }

    @Test void privateElementsShowTheirCreatorAndUnknownTagAndData() {
        assertThat(DumpRun.of("dump", CT).lines()).contains(
                "(0009,0010) LO [GEMS_IDEN_01]                           #  12, 1 PrivateCreator",
                "(0009,1001) LO [GE_GENESIS_FF]                          #  14, 1 Unknown Tag & Data");
    }

    @Test void longValuesAreShortenedAsDcmdumpDoes() {
        assertThat(DumpRun.of("dump", CT).lines()).contains(
                "(7fe0,0010) OW 00af\\00b4\\00a6\\008f\\008b\\0098\\00a7\\00bb\\00d4\\00ec\\00e5\\00d5\\00cb... # 32768, 1 PixelData",
                "(0043,1028) OB 43\\54\\30\\31\\00\\00\\00\\48\\69\\53\\70\\65\\65\\64\\20\\43\\54\\2f\\69\\00\\30\\35... #  80, 1 Unknown Tag & Data");
        assertThat(DumpRun.of("dump", sample("test_files/image_dfl.dcm")).lines()).contains(
                "(0020,4000) LT [THE OUTPUT OF THIS SOFTWARE IS FOR INVESTIGATIONAL USE ONLY - NOT ... # 110, 1 ImageComments");
    }

    @Test void encapsulatedPixelDataIsShownFragmentByFragment() {
        assertThat(DumpRun.of("dump", sample("test_files/JPEG2000.dcm")).lines()).containsSubsequence(
                "# Used TransferSyntax: JPEG 2000 Image Compression",
                "(7fe0,0010) OB (PixelSequence #=2)                      # u/l, 1 PixelData",
                "  (fffe,e000) pi (no value available)                     #   0, 1 Item",
                "  (fffe,e000) pi ff\\4f\\ff\\51\\00\\29\\00\\00\\00\\00\\01\\00\\00\\00\\04\\00\\00\\00\\00\\00\\00\\00... # 250, 1 Item",
                "(fffe,e0dd) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem");
    }

    @Test void textIsDecodedWithTheSpecificCharacterSet() {
        assertThat(DumpRun.of("dump", sample("charset_files/chrH31.dcm")).lines())
                .anyMatch(l -> l.startsWith("(0010,0010) PN [Yamada^Tarou=山田^太郎=やまだ^たろう]"));
    }

    @Test void jsonPrintsTheDataSetAsDicomJson() throws IOException {
        DumpRun r = DumpRun.of("dump", "--json", CT);
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("\"00100010\"").doesNotContain("\"00020010\"");
        Attributes ds = new DicomJsonReader().read(r.out());
        assertThat(ds.getString(0x00100010)).isEqualTo("CompressedSamples^CT1");
        assertThat(ds.getSequence(0x00101002).items()).hasSize(2);
    }

    @Test void anUnreadableFileIsReportedWithItsOffsetAndTheOthersAreStillPrinted() {
        DumpRun r = DumpRun.of("dump", CT, sample("test_files/MR_truncated.dcm"), sample("test_files/rtplan.dcm"));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("MR_truncated.dcm").contains("at offset 1488 (0x5d0)").contains("truncated");
        assertThat(r.lines()).contains(
                "(0010,0010) PN [CompressedSamples^CT1]                  #  22, 1 PatientName",
                "(0010,0010) PN [Last^First^mid^pre]                     #  18, 1 PatientName");
        assertThat(r.lines()).anyMatch(l -> l.startsWith("# dicom-relay dump (3/3): ") && l.endsWith("rtplan.dcm"));
    }

    @Test void withJsonToo() {
        DumpRun r = DumpRun.of("dump", "--json", sample("test_files/MR_truncated.dcm"), CT);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("at offset 1488");
        assertThat(r.out()).contains("CompressedSamples^CT1");
    }

    @Test void aMissingFileIsReportedAsSuch() {
        DumpRun r = DumpRun.of("dump", "/nonexistent/x.dcm");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("/nonexistent/x.dcm: no such file");
    }

    @Test void withoutFilesItPrintsUsage() {
        DumpRun r = DumpRun.of("dump");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter: 'FILE'").contains("Usage: dicom-relay dump");
    }

    @Test void withoutSubcommandItPrintsUsage() {
        DumpRun r = DumpRun.of();
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Usage: dicom-relay").contains("dump");
    }
}
