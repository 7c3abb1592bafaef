package org.dicomrelay.archive;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.ArchiveIndex;
import org.dicomrelay.dicom.net.service.FolderArchive;
import org.dicomrelay.dicom.net.service.IndexedInstance;
import org.dicomrelay.dicom.net.service.MemoryIndex;
import org.dicomrelay.dicom.net.service.QueryKeys;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link H2Index}: what goes in comes out (keys byte for byte, paths, order), it outlives the
 * process so that a restart needs no scan, listing streams from the database, and
 * {@link FolderArchive} answers every query with it exactly as with the {@link MemoryIndex}.
 */
@Timeout(120)
class ArchiveH2IndexTest {
    static final String CT = "test_files/CT_small.dcm";
    static final List<String> SAMPLES = List.of(CT, "test_files/MR_small.dcm", "test_files/rtplan.dcm", "test_files/rtdose.dcm",
            "charset_files/chrFren.dcm", "charset_files/chrH31.dcm", "charset_files/chrJapMulti.dcm", "charset_files/chrX1.dcm",
            "charset_files/chrRuss.dcm");
    static final String CT2_UID = "2.25.314159265358979323846264338327950288";
    static final String EXPLICIT_LE = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();

    @TempDir Path work;
    Path folder;

    @BeforeEach void folderOfSamples() throws IOException {
        folder = work.resolve("archive");
        for (String s : SAMPLES) {
            Path target = folder.resolve(s);
            Files.createDirectories(target.getParent());
            Files.copy(Samples.file(s), target);
        }
        // A second instance of the CT series, so that a series and a study have two instances.
        Attributes ds = DicomFile.read(Samples.file(CT)).dataSet();
        ds.setString(Tag.SOPInstanceUID, VR.UI, CT2_UID);
        ds.setString(0x00200013, VR.IS, "2");
        Files.createDirectories(folder.resolve("derived"));
        DicomFile.write(folder.resolve("derived/ct2.dcm"), FileMetaInformation.of(ds, EXPLICIT_LE), ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
    }

    // ---- store and read back ------------------------------------------------------------------

    @Test void everyFieldComesBackAsPutKeysByteForByteInTheOrderFirstAdded() throws Exception {
        List<IndexedInstance> put = new ArrayList<>();
        try (H2Index index = H2Index.open(folder)) {
            for (String s : SAMPLES) {
                IndexedInstance i = FolderArchive.read(folder.resolve(s));
                assertThat(index.put(i)).isEmpty();
                put.add(i);
            }
            assertThat(index.size()).isEqualTo(SAMPLES.size());
            for (IndexedInstance i : put) assertSame(index.get(i.sopInstanceUid()).orElseThrow(), i);
            assertThat(index.get("1.2.3.4")).isEmpty();
            try (Stream<IndexedInstance> all = index.instances()) {
                assertThat(all.map(IndexedInstance::sopInstanceUid)).containsExactlyElementsOf(put.stream().map(IndexedInstance::sopInstanceUid).toList());
            }

            // Replacing returns the old entry and keeps the place (as MemoryIndex's insertion order does).
            IndexedInstance first = put.get(0);
            Path elsewhere = work.resolve("outside/moved.dcm"); // not under the folder: kept absolute
            IndexedInstance moved = new IndexedInstance(first.sopInstanceUid(), first.sopClassUid(), EXPLICIT_LE, elsewhere, first.attributes());
            Optional<IndexedInstance> old = index.put(moved);
            assertThat(old).isPresent();
            assertSame(old.get(), first);
            assertThat(index.size()).isEqualTo(SAMPLES.size());
            assertSame(index.get(first.sopInstanceUid()).orElseThrow(), moved);
            try (Stream<IndexedInstance> all = index.instances()) {
                assertThat(all.findFirst()).get().satisfies(i -> assertSame(i, moved));
            }
        }
    }

    @Test void pathsUnderTheFolderAreStoredRelativeSoTheFolderCanMoveWithItsIndex() throws Exception {
        IndexedInstance ct = FolderArchive.read(folder.resolve(CT));
        try (H2Index index = H2Index.open(folder)) {
            index.put(ct);
        }
        try (Connection c = jdbc(folder); Statement s = c.createStatement(); var rs = s.executeQuery("SELECT path FROM instances")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(CT);
        }
        Path movedFolder = work.resolve("moved");
        Files.move(folder, movedFolder);
        try (H2Index index = H2Index.open(movedFolder)) {
            assertThat(index.get(ct.sopInstanceUid()).orElseThrow().path()).isEqualTo(movedFolder.resolve(CT)).isRegularFile();
        }
    }

    // ---- restart ----------------------------------------------------------------------------------

    @Test void aRestartUsesTheIndexAsItIsWithoutScanningAndScanPicksUpNewFiles() throws Exception {
        List<IndexedInstance> before;
        try (FolderArchive archive = new FolderArchive(folder, "ARCHIVE", Map.of(), H2Index.open(folder), AssociationOptions.DEFAULT)) {
            assertThat(archive.scannedAtStart()).as("a new index: the folder is scanned").isTrue();
            before = list(archive.index());
        }
        assertThat(before).hasSize(SAMPLES.size() + 1);
        assertThat(folder.resolve(".index/archive.mv.db")).isRegularFile();

        // A file put into the folder by hand while the archive is down.
        String byHandUid = "2.25.271828182845904523536028747135266249";
        Path byHand = folder.resolve("byhand/ct3.dcm");
        Files.createDirectories(byHand.getParent());
        Attributes ds = DicomFile.read(Samples.file(CT)).dataSet();
        ds.setString(Tag.SOPInstanceUID, VR.UI, byHandUid);
        DicomFile.write(byHand, FileMetaInformation.of(ds, EXPLICIT_LE), ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);

        CountingIndex counting = new CountingIndex(H2Index.open(folder));
        try (FolderArchive archive = new FolderArchive(folder, "ARCHIVE", Map.of(), counting, AssociationOptions.DEFAULT)) {
            assertThat(archive.scannedAtStart()).isFalse();
            assertThat(counting.puts.get()).as("no instance indexed again at start").isZero();
            List<IndexedInstance> after = list(archive.index());
            assertThat(after).hasSameSizeAs(before);
            for (int k = 0; k < before.size(); k++) assertSame(after.get(k), before.get(k));
            assertThat(archive.index().get(byHandUid)).as("not scanned, so not seen").isEmpty();

            assertThat(archive.scan()).isEqualTo(SAMPLES.size() + 2);
            assertThat(archive.index().size()).isEqualTo(SAMPLES.size() + 2);
        }
        try (H2Index index = H2Index.open(folder)) {
            assertThat(index.holdsScannedFolder()).isTrue();
            assertThat(index.get(byHandUid).orElseThrow().path()).isEqualTo(byHand);
        }
    }

    @Test void aScanThatDidNotCompleteIsDoneAgainAtTheNextStart() throws Exception {
        try (H2Index index = H2Index.open(folder)) {
            index.put(FolderArchive.read(folder.resolve(CT))); // as if the process died after one file
        }
        try (FolderArchive archive = new FolderArchive(folder, "ARCHIVE", Map.of(), H2Index.open(folder), AssociationOptions.DEFAULT)) {
            assertThat(archive.scannedAtStart()).isTrue();
            assertThat(archive.index().size()).isEqualTo(SAMPLES.size() + 1);
        }
    }

    @Test void anIndexOfANewerSchemaIsRefusedNotMisread() throws Exception {
        H2Index.open(folder).close();
        try (Connection c = jdbc(folder); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO schema_version (version) VALUES (" + (Schema.CURRENT + 1) + ")");
        }
        assertThatThrownBy(() -> H2Index.open(folder)).isInstanceOf(IOException.class).hasMessageContaining("newer");
    }

    // ---- bounded memory -----------------------------------------------------------------------------

    /** Listing decodes rows as they are consumed, on a connection of its own, while puts go on. */
    @Test void listingStreamsRowsAndReleasesItsConnection() throws Exception {
        IndexedInstance ct = FolderArchive.read(folder.resolve(CT));
        int n = 300;
        try (H2Index index = H2Index.open(folder)) {
            for (int k = 0; k < n; k++) index.put(copy(ct, "2.25." + (1000 + k)));
            long decodedBefore = index.rowsDecoded.get();
            try (Stream<IndexedInstance> all = index.instances()) {
                Iterator<IndexedInstance> it = all.iterator();
                for (int k = 0; k < 3; k++) assertThat(it.next().sopInstanceUid()).isEqualTo("2.25." + (1000 + k));
                assertThat(index.rowsDecoded.get() - decodedBefore).as("rows decoded after taking 3 of %d", n).isLessThanOrEqualTo(4);
                assertThat(index.openListings()).isEqualTo(1);
                // the index stays writable and readable while a listing is open
                assertThat(index.put(copy(ct, "2.25.99"))).isEmpty();
                assertThat(index.get("2.25.99")).isPresent();
            }
            assertThat(index.openListings()).as("closing the stream releases its connection").isZero();
            try (Stream<IndexedInstance> all = index.instances()) {
                assertThat(all.count()).isEqualTo(n + 1);
            }
            assertThat(index.openListings()).isZero();
        }
    }

    // ---- the same matching as with MemoryIndex --------------------------------------------------------

    /**
     * FolderArchive's C-FIND over the same folder, once with each index: the same responses, in
     * the same order, for keys of every level and both models, wild cards, ranges, lists of UIDs,
     * person names in other character sets and the values computed over the index.
     */
    @Test void findAnswersAreTheSameWithTheMemoryIndex() throws Exception {
        try (FolderArchive memory = new FolderArchive(folder, "ARCHIVE", Map.of(), new MemoryIndex(), AssociationOptions.DEFAULT);
             FolderArchive h2 = new FolderArchive(folder, "ARCHIVE", Map.of(), H2Index.open(folder), AssociationOptions.DEFAULT);
             DicomServer memoryServer = DicomServer.start(memory.applicationEntity(), "127.0.0.1", 0, 2, memory.services());
             DicomServer h2Server = DicomServer.start(h2.applicationEntity(), "127.0.0.1", 0, 2, h2.services())) {
            List<IndexedInstance> m = list(memory.index()), h = list(h2.index());
            assertThat(h).hasSameSizeAs(m);
            for (int k = 0; k < m.size(); k++) assertSame(h.get(k), m.get(k));

            IndexedInstance ct = memory.index().get(FolderArchive.read(folder.resolve(CT)).sopInstanceUid()).orElseThrow();
            List<Query> queries = List.of(
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.PatientName, "*", Tag.StudyInstanceUID, "", 0x00080020, "",
                            QueryKeys.ModalitiesInStudy, "", QueryKeys.NumberOfStudyRelatedInstances, "", QueryKeys.NumberOfStudyRelatedSeries, ""),
                    q(QueryRetrieveModel.PATIENT_ROOT, "PATIENT", Tag.PatientID, "", Tag.PatientName, "", 0x00100030, "",
                            QueryKeys.NumberOfPatientRelatedStudies, "", QueryKeys.NumberOfPatientRelatedInstances, ""),
                    q(QueryRetrieveModel.PATIENT_ROOT, "SERIES", Tag.PatientID, ct.patientId(), Tag.StudyInstanceUID, ct.studyInstanceUid(),
                            Tag.SeriesInstanceUID, "", 0x00080060, "", QueryKeys.NumberOfSeriesRelatedInstances, ""),
                    q(QueryRetrieveModel.STUDY_ROOT, "IMAGE", Tag.StudyInstanceUID, ct.studyInstanceUid(), Tag.SeriesInstanceUID, "",
                            Tag.SOPInstanceUID, "", 0x00200013, "", Tag.SOPClassUID, "", QueryKeys.AvailableTransferSyntaxUID, ""),
                    q(QueryRetrieveModel.STUDY_ROOT, "IMAGE", Tag.SOPInstanceUID, "", 0x00280010, "", 0x00280011, ""),
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.StudyInstanceUID, "", 0x00080020, "20040119-20040826"),
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.StudyInstanceUID, "", 0x00080020, "20040119", 0x00080030, "0727"),
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.StudyInstanceUID, "", Tag.PatientID, "id?????"),
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.StudyInstanceUID, "", Tag.PatientName, "CompressedSamples^*"),
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.StudyInstanceUID, "", QueryKeys.ModalitiesInStudy, "CT\\RTDOSE"),
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.StudyInstanceUID, ct.studyInstanceUid() + "\\1.2.3.4"),
                    q(QueryRetrieveModel.STUDY_ROOT, "SERIES", Tag.SeriesInstanceUID, "", 0x00080060, "MR", 0x00181030, ""),
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.SpecificCharacterSet, "ISO_IR 192", Tag.PatientName, "Buc^Jérôme",
                            Tag.StudyInstanceUID, ""),
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.SpecificCharacterSet, "ISO_IR 192", Tag.PatientName, "山田^太郎",
                            Tag.StudyInstanceUID, ""),
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.StudyInstanceUID, "", 0x00081030, "", 0x00321060, ""), // (0032,1060) unsupported: FF01
                    q(QueryRetrieveModel.STUDY_ROOT, "STUDY", Tag.PatientName, "Nobody*"));
            int matches = 0;
            for (Query query : queries) {
                List<DimseResponse> a = find(memoryServer, query), b = find(h2Server, query);
                assertThat(b).as("responses to %s", query).hasSameSizeAs(a);
                for (int k = 0; k < a.size(); k++) {
                    assertThat(b.get(k).status()).as("status %d of %s", k, query).isEqualTo(a.get(k).status());
                    if (a.get(k).data() == null) {
                        assertThat(b.get(k).data()).isNull();
                    } else {
                        assertThat(b.get(k).data().contentEquals(a.get(k).data())).as("match %d of %s:\n%s\n%s", k, query, a.get(k).data(),
                                b.get(k).data()).isTrue();
                    }
                }
                assertThat(a.get(a.size() - 1).status()).as("final status of %s", query).isZero();
                matches += a.size() - 1;
            }
            assertThat(matches).as("the queries match something").isGreaterThan(queries.size());
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    record Query(QueryRetrieveModel model, Attributes keys) {
        @Override public String toString() {
            return model + " " + keys.getString(0x00080052) + " " + keys;
        }
    }

    /** A C-FIND identifier: the level, then tag/value pairs (the VR the dictionary's). */
    private static Query q(QueryRetrieveModel model, String level, Object... tagsAndValues) {
        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, level);
        for (int k = 0; k < tagsAndValues.length; k += 2) {
            int tag = (Integer) tagsAndValues[k];
            String value = (String) tagsAndValues[k + 1];
            VR vr = QueryKeys.vrOf(tag);
            if (value.isEmpty()) {
                keys.setBytes(tag, vr, new byte[0]);
            } else {
                keys.setString(tag, vr, value.split("\\\\"));
            }
        }
        return new Query(model, keys);
    }

    private static List<DimseResponse> find(DicomServer server, Query query) throws IOException {
        try (QueryRetrieveScu scu = QueryRetrieveScu.open("127.0.0.1", server.port(), "ARCHIVE", "COMPARE", query.model(), List.of(), null,
                AssociationOptions.DEFAULT)) {
            PendingRequest p = scu.find(query.keys());
            List<DimseResponse> all = new ArrayList<>();
            for (DimseResponse r = p.next(); r != null; r = p.next()) all.add(r);
            return all;
        }
    }

    private static List<IndexedInstance> list(ArchiveIndex index) throws IOException {
        try (Stream<IndexedInstance> all = index.instances()) {
            return all.toList();
        }
    }

    private static void assertSame(IndexedInstance actual, IndexedInstance expected) {
        assertThat(actual.sopInstanceUid()).isEqualTo(expected.sopInstanceUid());
        assertThat(actual.sopClassUid()).isEqualTo(expected.sopClassUid());
        assertThat(actual.transferSyntaxUid()).isEqualTo(expected.transferSyntaxUid());
        assertThat(actual.path()).isEqualTo(expected.path());
        assertThat(actual.attributes().bigEndian()).isEqualTo(expected.attributes().bigEndian());
        List<DicomElement> a = actual.attributes().elements(), e = expected.attributes().elements();
        assertThat(a).as("keys of %s", expected.path()).hasSameSizeAs(e);
        for (int k = 0; k < e.size(); k++) {
            assertThat(a.get(k).tag()).isEqualTo(e.get(k).tag());
            assertThat(a.get(k).vr()).isEqualTo(e.get(k).vr());
            assertThat((byte[]) a.get(k).value()).as("%s of %s", Tag.toString(e.get(k).tag()), expected.path()).isEqualTo((byte[]) e.get(k).value());
        }
    }

    private static IndexedInstance copy(IndexedInstance i, String sopInstanceUid) {
        Attributes keys = QueryKeys.extract(i.attributes());
        keys.setString(Tag.SOPInstanceUID, VR.UI, sopInstanceUid);
        return new IndexedInstance(sopInstanceUid, i.sopClassUid(), i.transferSyntaxUid(), i.path().resolveSibling(sopInstanceUid + ".dcm"), keys);
    }

    private static Connection jdbc(Path folder) throws Exception {
        return DriverManager.getConnection("jdbc:h2:file:" + folder.resolve(".index/archive").toAbsolutePath(), "archive", "");
    }

    /** An index that counts what is put into it. */
    static final class CountingIndex implements ArchiveIndex {
        final ArchiveIndex delegate;
        final AtomicInteger puts = new AtomicInteger();

        CountingIndex(ArchiveIndex delegate) {
            this.delegate = delegate;
        }

        @Override public Optional<IndexedInstance> put(IndexedInstance instance) throws IOException {
            puts.incrementAndGet();
            return delegate.put(instance);
        }

        @Override public Optional<IndexedInstance> get(String sopInstanceUid) throws IOException { return delegate.get(sopInstanceUid); }

        @Override public Stream<IndexedInstance> instances() throws IOException { return delegate.instances(); }

        @Override public int size() throws IOException { return delegate.size(); }

        @Override public boolean holdsScannedFolder() throws IOException { return delegate.holdsScannedFolder(); }

        @Override public void scanCompleted() throws IOException { delegate.scanCompleted(); }

        @Override public void close() throws IOException { delegate.close(); }
    }
}
