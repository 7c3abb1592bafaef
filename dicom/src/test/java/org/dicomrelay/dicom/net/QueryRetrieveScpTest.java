package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.service.ArchiveIndex;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderArchive;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.IndexedInstance;
import org.dicomrelay.dicom.net.service.MemoryIndex;
import org.dicomrelay.dicom.net.service.QueryLevel;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.dicomrelay.testkit.StoredFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterators;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FolderArchive} as Query/Retrieve SCP (PS3.4 Annex C) against DCMTK's findscu, movescu
 * and getscu and our own {@link QueryRetrieveScu}, over a folder of pydicom samples (one file per
 * SOP instance) plus a second CT instance derived here, so that a study has two instances.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class QueryRetrieveScpTest {
    static final String CT = "test_files/CT_small.dcm", MR = "test_files/MR_small.dcm", RTPLAN = "test_files/rtplan.dcm",
            RTSTRUCT = "test_files/rtstruct.dcm", RTDOSE = "test_files/rtdose.dcm", FREN = "charset_files/chrFren.dcm",
            GERM = "charset_files/chrGerm.dcm", RUSS = "charset_files/chrRuss.dcm", X1 = "charset_files/chrX1.dcm",
            H31 = "charset_files/chrH31.dcm", JAP = "charset_files/chrJapMulti.dcm";
    static final List<String> SAMPLES = List.of(CT, MR, RTPLAN, RTSTRUCT, RTDOSE, FREN, GERM, RUSS, X1, H31, JAP);
    static final String CT2 = "derived/CT_small_2.dcm";
    static final String CT2_UID = "2.25.299792458299792458299792458";
    static final String CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2";
    static final String EXPLICIT_LE = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();

    private Path work, archiveDir, storescpDir, slowDir, pickyDir;
    private GatedIndex index;
    private FolderArchive archive;
    private DicomServer server, slow, picky;
    private Peers.Server storescp;
    private final ObservedHandler observed = new ObservedHandler();
    private final AtomicInteger slowStores = new AtomicInteger();
    /** Which C-STORE the slow destination holds until the archive has seen a C-CANCEL, and the latch it opens on receiving it. */
    private volatile int slowHoldAt;
    private volatile CountDownLatch slowHolding;
    /** Sample (or CT2) → what the archive indexed of it. */
    private final Map<String, IndexedInstance> inst = new LinkedHashMap<>();

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("qrscp");
        archiveDir = work.resolve("archive");
        for (String s : SAMPLES) {
            Path target = archiveDir.resolve("pydicom").resolve(s);
            Files.createDirectories(target.getParent());
            Files.copy(Samples.file(s), target);
        }
        // A second instance of the CT series: same patient, study and series, its own SOP instance.
        DicomFile ct = DicomFile.read(Samples.file(CT));
        Attributes ds = ct.dataSet();
        ds.setString(Tag.SOPInstanceUID, VR.UI, CT2_UID);
        ds.setString(0x00200013, VR.IS, "2");
        Files.createDirectories(archiveDir.resolve("derived"));
        DicomFile.write(archiveDir.resolve(CT2), FileMetaInformation.of(ds, EXPLICIT_LE), ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        Files.writeString(archiveDir.resolve("README.txt"), "not DICOM: the scan skips it");

        storescpDir = Files.createDirectories(work.resolve("storescp"));
        int storescpPort = Peers.freePort();
        storescp = Peers.startServer(List.of("storescp", "+B", "+xa", "-od", storescpDir.toString(), "-aet", "STORESCP",
                String.valueOf(storescpPort)), storescpPort, null, Map.of());

        // A destination that holds one C-STORE until the archive has seen a C-CANCEL: cancel tests stay deterministic.
        slowDir = Files.createDirectories(work.resolve("slow"));
        FolderStorage slowStorage = new FolderStorage(slowDir);
        slow = DicomServer.start(new ApplicationEntity("SLOWSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore((as, rq, data) -> {
                    if (slowStores.incrementAndGet() == slowHoldAt) {
                        slowHolding.countDown();
                        await(observed.cancelSeen);
                    }
                    return slowStorage.store(as, rq, data);
                }));
        // A destination that takes CT images only.
        pickyDir = Files.createDirectories(work.resolve("picky"));
        picky = DicomServer.start(new ApplicationEntity("PICKYSCP").accept(CT_IMAGE, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(pickyDir)));

        Map<String, InetSocketAddress> destinations = Map.of(
                "STORESCP", InetSocketAddress.createUnresolved("127.0.0.1", storescpPort),
                "SLOWSCP", InetSocketAddress.createUnresolved("127.0.0.1", slow.port()),
                "PICKYSCP", InetSocketAddress.createUnresolved("127.0.0.1", picky.port()),
                "DEADSCP", InetSocketAddress.createUnresolved("127.0.0.1", Peers.freePort()));
        index = new GatedIndex();
        archive = new FolderArchive(archiveDir, "ARCHIVE", destinations, index, AssociationOptions.DEFAULT);
        observed.delegate = archive.services();
        server = DicomServer.start(archive.applicationEntity(), "127.0.0.1", 0, 8, observed);

        for (String s : SAMPLES) inst.put(s, FolderArchive.read(Samples.file(s)));
        inst.put(CT2, FolderArchive.read(archiveDir.resolve(CT2)));
    }

    @AfterAll void stop() throws Exception {
        server.close();
        slow.close();
        picky.close();
        storescp.close();
    }

    @BeforeEach void resetLatches() {
        observed.cancelSeen = new CountDownLatch(1);
        slowStores.set(0);
        slowHoldAt = 2;
        slowHolding = new CountDownLatch(1);
        index.gate = null;
    }

    // ---- index ----------------------------------------------------------------------------

    @Test void scanIndexesEveryDicomFileInSubfoldersAndSkipsTheRest() throws Exception {
        assertThat(archive.index().size()).isEqualTo(SAMPLES.size() + 1);
        assertThat(archive.index().get(CT2_UID)).map(IndexedInstance::path).contains(archiveDir.resolve(CT2));
        IndexedInstance rtdose = archive.index().get(inst.get(RTDOSE).sopInstanceUid()).orElseThrow();
        assertThat(rtdose.transferSyntaxUid()).isEqualTo(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid());
        // key attributes only: never the pixel data
        assertThat(rtdose.attributes().contains(Tag.PixelData)).isFalse();
        assertThat(rtdose.attributes().getString(Tag.PatientID)).isEqualTo("id11111");
    }

    @Test void cStoreFilesByStudyAndIndexesSoTheInstanceIsFoundAtOnce() throws Exception {
        Path dir = Files.createTempDirectory(work, "store");
        try (FolderArchive fresh = new FolderArchive(dir, "FRESH", Map.of());
             DicomServer srv = DicomServer.start(fresh.applicationEntity(), "127.0.0.1", 0, 2, fresh.services())) {
            assertThat(fresh.index().size()).isZero();
            Path greek = Samples.file("charset_files/chrGreek.dcm");
            Peers.Result r = Peers.run(List.of("storescu", "-aec", "FRESH", "127.0.0.1", String.valueOf(srv.port()), greek.toString()),
                    Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.output()).isZero();
            IndexedInstance g = FolderArchive.read(greek);
            Path filed = dir.resolve(g.studyInstanceUid()).resolve(g.sopInstanceUid() + ".dcm");
            assertThat(filed).isRegularFile();
            assertThat(StoredFiles.dataSet(filed)).isEqualTo(StoredFiles.dataSet(greek));
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly(g.studyInstanceUid());
            }
            Path out = Files.createTempDirectory(work, "find");
            findscuAt(srv.port(), out, "-aec", "FRESH", "-S", "-k", "QueryRetrieveLevel=IMAGE", "-k", "SOPInstanceUID=" + g.sopInstanceUid());
            assertThat(responses(out)).singleElement().satisfies(a -> assertThat(a.getString(Tag.SOPInstanceUID)).isEqualTo(g.sopInstanceUid()));
            // the same instance again replaces, never duplicates
            Peers.run(List.of("storescu", "-aec", "FRESH", "127.0.0.1", String.valueOf(srv.port()), greek.toString()), Duration.ofSeconds(60));
            assertThat(fresh.index().size()).isEqualTo(1);
            // and a fresh archive over the same folder finds it by scanning
            try (FolderArchive again = new FolderArchive(dir, "AGAIN", Map.of())) {
                assertThat(again.index().get(g.sopInstanceUid())).map(IndexedInstance::path).contains(filed);
            }
        }
    }

    // ---- C-FIND (PS3.4 §C.4.1) --------------------------------------------------------------

    /** §C.4.1.3.1.1 and §C.4.1.1.3.2: one response per matching study, the requested keys and nothing else. */
    @Test void c41StudyRootStudyLevelWildcardGivesOneResponsePerStudyWithTheRequestedKeysOnly() throws Exception {
        Path out = Files.createTempDirectory(work, "find");
        Peers.Result r = findscu(out, "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=*", "-k", "StudyInstanceUID",
                "-k", "StudyDate", "-k", "NumberOfStudyRelatedInstances", "-k", "ModalitiesInStudy");
        assertThat(r.output()).contains("Received Final Find Response (Success)");
        List<Attributes> rsp = responses(out);
        assertThat(studies(rsp)).containsExactlyInAnyOrderElementsOf(SAMPLES.stream().map(s -> inst.get(s).studyInstanceUid()).toList());
        for (Attributes a : rsp) {
            IndexedInstance i = byStudy(a.getString(Tag.StudyInstanceUID));
            Set<Integer> expected = new TreeSet<>(List.of(0x00080052, 0x00080054, Tag.PatientName, Tag.StudyInstanceUID, 0x00080020, 0x00201208, 0x00080061));
            if (i.attributes().contains(Tag.SpecificCharacterSet)) expected.add(Tag.SpecificCharacterSet);
            assertThat(tags(a)).as("keys of %s", i.path()).containsExactlyElementsOf(expected);
            assertThat(a.getString(0x00080052)).isEqualTo("STUDY");
            assertThat(a.getString(0x00080054)).isEqualTo("ARCHIVE");
            assertThat(a.getBytes(Tag.PatientName)).isEqualTo(i.attributes().getBytes(Tag.PatientName));
        }
        Attributes ct = rsp.stream().filter(a -> a.getString(Tag.StudyInstanceUID).equals(inst.get(CT).studyInstanceUid())).findFirst().orElseThrow();
        assertThat(ct.getString(0x00201208)).isEqualTo("2");
        assertThat(ct.getStrings(0x00080061)).containsExactly("CT");
        assertThat(ct.getString(0x00080020)).isEqualTo("20040119");
    }

    /**
     * §C.4.1.3.1.1 at every level of both models, with a wild card: one response per entity of the
     * level, carrying the unique keys of the levels above although the query did not ask for them.
     * (Without those keys, as here, the archive searches every entity above: more than the
     * baseline hierarchical search requires.)
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"-P, PATIENT, 11", "-P, STUDY, 11", "-P, SERIES, 11", "-P, IMAGE, 12", "-S, STUDY, 11", "-S, SERIES, 11", "-S, IMAGE, 12"})
    void c4131EveryLevelOfBothModels(String model, String level, int entities) throws Exception {
        QueryLevel l = QueryLevel.valueOf(level);
        Path out = Files.createTempDirectory(work, "find");
        Peers.Result r = findscu(out, model, "-k", "QueryRetrieveLevel=" + level, "-k", "PatientName=*", "-k", Tag.toHex(l.uniqueKey).replaceFirst("(.{4})", "$1,"));
        assertThat(r.output()).contains("Received Final Find Response (Success)");
        List<Attributes> rsp = responses(out);
        assertThat(rsp).hasSize(entities);
        assertThat(rsp.stream().map(a -> a.getString(l.uniqueKey)).distinct()).hasSize(entities);
        for (Attributes a : rsp) {
            assertThat(a.getString(0x00080052)).isEqualTo(level);
            for (QueryLevel above : QueryLevel.values()) {
                if (above.ordinal() >= l.ordinal() || (above == QueryLevel.PATIENT && model.equals("-S"))) continue;
                assertThat(a.contains(above.uniqueKey)).as("%s in a %s response", Tag.toString(above.uniqueKey), level).isTrue();
            }
            if (model.equals("-S")) assertThat(a.contains(Tag.PatientID)).as("no patient level in Study Root").isFalse();
        }
    }

    /** §C.2.2.3 on the computed Modalities in Study (Table C.3-1): a study matches when any of its modalities is listed. */
    @Test void c2223ModalitiesInStudyMatchesAnyListedModality() throws Exception {
        assertThat(findStudies("-k", "ModalitiesInStudy=RTPLAN\\RTDOSE\\XA")).containsExactlyInAnyOrder(study(RTPLAN), study(RTDOSE));
    }

    /** §C.4.1.3.1.1: hierarchical search below the unique keys of the levels above; their values come back. */
    @Test void c4131PatientRootSeriesLevelUnderPatientAndStudyUniqueKeys() throws Exception {
        IndexedInstance ct = inst.get(CT);
        Path out = Files.createTempDirectory(work, "find");
        findscu(out, "-P", "-k", "QueryRetrieveLevel=SERIES", "-k", "PatientID=1CT1", "-k", "StudyInstanceUID=" + ct.studyInstanceUid(),
                "-k", "SeriesInstanceUID", "-k", "Modality", "-k", "NumberOfSeriesRelatedInstances");
        assertThat(responses(out)).singleElement().satisfies(a -> {
            assertThat(a.getString(Tag.PatientID)).isEqualTo("1CT1");
            assertThat(a.getString(Tag.StudyInstanceUID)).isEqualTo(ct.studyInstanceUid());
            assertThat(a.getString(Tag.SeriesInstanceUID)).isEqualTo(ct.seriesInstanceUid());
            assertThat(a.getString(0x00080060)).isEqualTo("CT");
            assertThat(a.getString(0x00201209)).isEqualTo("2");
        });
        // a study of another patient is not searched
        Path none = Files.createTempDirectory(work, "find");
        findscu(none, "-P", "-k", "QueryRetrieveLevel=SERIES", "-k", "PatientID=4MR1", "-k", "StudyInstanceUID=" + ct.studyInstanceUid(),
                "-k", "SeriesInstanceUID");
        assertThat(responses(none)).isEmpty();
    }

    /** §C.4.1.3.1.1 at the IMAGE level, Study Root: both instances of the CT series, each once. */
    @Test void c4131StudyRootImageLevelListsEveryInstanceOfASeries() throws Exception {
        IndexedInstance ct = inst.get(CT);
        Path out = Files.createTempDirectory(work, "find");
        findscu(out, "-S", "-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + ct.studyInstanceUid(),
                "-k", "SeriesInstanceUID=" + ct.seriesInstanceUid(), "-k", "SOPInstanceUID", "-k", "InstanceNumber", "-k", "SOPClassUID");
        List<Attributes> rsp = responses(out);
        assertThat(rsp).extracting(a -> a.getString(Tag.SOPInstanceUID)).containsExactlyInAnyOrder(ct.sopInstanceUid(), CT2_UID);
        assertThat(rsp).extracting(a -> a.getString(0x00200013)).containsExactlyInAnyOrder("1", "2");
        assertThat(rsp).extracting(a -> a.getString(Tag.SOPClassUID)).containsOnly(CT_IMAGE);
    }

    /** §C.2.2.2.4: "*" any sequence, "?" exactly one character; case-sensitive. */
    @Test void c2224WildCardsStarAndQuestionMark() throws Exception {
        assertThat(findStudies("-k", "PatientID=id?????")).containsExactlyInAnyOrder(study(RTPLAN), study(RTDOSE));
        assertThat(findStudies("-k", "PatientID=id????")).isEmpty();
        assertThat(findStudies("-k", "PatientName=CompressedSamples^*")).containsExactlyInAnyOrder(study(CT), study(MR));
        assertThat(findStudies("-k", "PatientName=*^?R1")).containsExactly(study(MR));
        assertThat(findStudies("-k", "PatientName=compressedsamples*")).as("matching is case-sensitive").isEmpty();
    }

    /** §C.2.2.2.2: each UID of the list may generate a match. */
    @Test void c2222ListOfUidMatching() throws Exception {
        assertThat(findStudies("-k", "StudyInstanceUID=" + study(CT) + "\\" + study(RTDOSE) + "\\1.2.3.4.5.6.7.8.9"))
                .containsExactlyInAnyOrder(study(CT), study(RTDOSE));
    }

    /** §C.2.2.2.5.1 inclusive date ranges, open at either end; §C.2.2.1.2: an entity without a value matches. */
    @Test void c22251DateRangesAndEntitiesWithoutADate() throws Exception {
        List<String> undated = SAMPLES.stream().filter(s -> inst.get(s).attributes().getString(0x00080020) == null).map(this::study).toList();
        assertThat(undated).hasSizeGreaterThan(3);
        assertThat(findStudies("-k", "StudyDate=20040119-20040826"))
                .containsExactlyInAnyOrderElementsOf(concat(undated, study(CT), study(MR)));
        assertThat(findStudies("-k", "StudyDate=20040120-20040825")).containsExactlyInAnyOrderElementsOf(undated);
        assertThat(findStudies("-k", "StudyDate=-20031231")).containsExactlyInAnyOrderElementsOf(concat(undated, study(RTPLAN), study(RTDOSE)));
        assertThat(findStudies("-k", "StudyDate=20080504-")).containsExactlyInAnyOrderElementsOf(concat(undated, study(JAP)));
        assertThat(findStudies("-k", "StudyDate=20030716")).containsExactlyInAnyOrderElementsOf(concat(undated, study(RTPLAN)));
        // §C.2.2.2.5.2: TM by meaning, the key spanning its precision (072730 lies in 0727)
        assertThat(findStudies("-k", "StudyDate=20040119", "-k", "StudyTime=0727")).containsExactlyInAnyOrderElementsOf(concat(undated, study(CT)));
    }

    /**
     * §C.2.2.2.1.1: person names are matched on their decoded text, whatever character set the
     * query and the stored instance use; the match comes back in the instance's own character set.
     */
    @Test void c22211NonAsciiPersonNameMatchedAcrossCharacterSets() throws Exception {
        Attributes fren = findWithQueryFile("ISO_IR 192", "Buc^Jérôme");
        assertThat(fren.getString(Tag.SpecificCharacterSet)).isEqualTo("ISO_IR 100");
        assertThat(fren.getString(Tag.PatientName)).isEqualTo("Buc^Jérôme");
        assertThat(fren.getBytes(Tag.PatientName)).isEqualTo(inst.get(FREN).attributes().getBytes(Tag.PatientName));
        // the ideographic component group alone finds the ISO 2022 IR 87 name; wild cards work on decoded characters
        Attributes h31 = findWithQueryFile("ISO_IR 192", "山田^太郎");
        assertThat(h31.getStrings(Tag.SpecificCharacterSet)).containsExactly("", "ISO 2022 IR 87");
        assertThat(h31.getString(Tag.PatientName)).isEqualTo("Yamada^Tarou=山田^太郎=やまだ^たろう");
        assertThat(findWithQueryFile("ISO_IR 192", "王^?東").getString(Tag.PatientID)).isEqualTo("X1EXAMPLE");
        assertThat(findWithQueryFile("ISO_IR 192", "*dige*").getString(Tag.PatientID)).isEqualTo("SCSGERM");
        // case-sensitive, also for PN (the standard lets PN be matched insensitively; we don't)
        Path out = Files.createTempDirectory(work, "find");
        findscu(out, "-S", queryFile("ISO_IR 192", "buc^jérôme").toString());
        assertThat(responses(out)).isEmpty();
    }

    /** §C.4.1.3.1: a C-CANCEL between matches ends the C-FIND with FE00. */
    @Test void c4131FindscuCancelAfterTheFirstResponseEndsWithCancelStatus() throws Exception {
        // The index holds back the second instance until the archive has seen the C-CANCEL.
        index.gate = observed.cancelSeen;
        Path out = Files.createTempDirectory(work, "find");
        Peers.Result r = findscu(out, "-S", "--cancel", "1", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID");
        assertThat(observed.cancelSeen.getCount()).as("C-CANCEL reached the archive").isZero();
        assertThat(r.output()).contains("Sending Cancel Request").contains("Received Final Find Response (Cancel: MatchingTerminatedDueToCancelRequest)");
        assertThat(responses(out)).hasSize(1);
    }

    /** §C.4.1.1.3.1 and Table C.4-1: no level is A900; a level the model does not have is a failure. */
    @Test void c41InvalidIdentifiersFail() throws Exception {
        Path out = Files.createTempDirectory(work, "find");
        assertThat(findscu(out, "-S", "-k", "PatientName=*").output()).contains("Received Final Find Response (Error: DataSetDoesNotMatchSOPClass)");
        assertThat(findscu(out, "-S", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientName=*").output())
                .contains("Received Final Find Response (Failed: UnableToProcess)");
        assertThat(findscu(out, "-P", "-k", "QueryRetrieveLevel=WARD").output()).contains("Received Final Find Response (Failed: UnableToProcess)");
        assertThat(findscu(out, "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyDate=2004-01-19").output())
                .contains("Received Final Find Response (Failed: UnableToProcess)");
        assertThat(responses(out)).isEmpty();
    }

    /** §C.2.2.1.3 and Table C.4-1: an Optional Key we don't support is not returned, and the matches say FF01. */
    @Test void c2213UnsupportedOptionalKeyNotReturnedAndPendingIsFF01() throws Exception {
        try (QueryRetrieveScu scu = ourScu(QueryRetrieveModel.STUDY_ROOT, List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.StudyInstanceUID, VR.UI, study(MR));
            keys.setString(Tag.PatientName, VR.PN, "");
            keys.setString(0x00180050, VR.DS, ""); // Slice Thickness: an image attribute, not a study key
            PendingRequest p = scu.find(keys);
            DimseResponse match = p.next();
            assertThat(match.status()).isEqualTo(0xFF01);
            assertThat(match.data().contains(0x00180050)).isFalse();
            assertThat(match.data().getString(Tag.PatientName)).isEqualTo("CompressedSamples^MR1");
            assertThat(p.next().status()).isZero();
        }
    }

    @Test void c41OurScuPatientLevelCountsRelatedStudiesAndInstances() throws Exception {
        try (QueryRetrieveScu scu = ourScu(QueryRetrieveModel.PATIENT_ROOT, List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "PATIENT");
            keys.setString(Tag.PatientID, VR.LO, "1CT1");
            keys.setString(0x00201200, VR.IS, "");
            keys.setString(0x00201204, VR.IS, "");
            PendingRequest p = scu.find(keys);
            DimseResponse match = p.next();
            assertThat(match.status()).isEqualTo(0xFF00);
            assertThat(match.data().getString(0x00201200)).isEqualTo("1");
            assertThat(match.data().getString(0x00201204)).isEqualTo("2");
            assertThat(p.next().status()).isZero();
        }
    }

    // ---- C-MOVE (PS3.4 §C.4.2) ---------------------------------------------------------------

    /** §C.4.2.3.1: C-STORE sub-operations on another association; the destination gets the files unchanged. */
    @Test void c4231MovescuToStorescpDeliversEveryInstanceByteIdentical() throws Exception {
        StoreInteropTest.clean(storescpDir);
        Peers.Result r = Peers.run(List.of("movescu", "-v", "-S", "-aet", "MOVESCU", "-aec", "ARCHIVE", "-aem", "STORESCP",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study(CT) + "\\" + study(RTPLAN) + "\\" + study(RTDOSE),
                "127.0.0.1", String.valueOf(server.port())), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Received Final Move Response (Success)");
        Map<String, Path> received = StoredFiles.byInstance(storescpDir);
        assertThat(received.keySet()).containsExactlyInAnyOrder(inst.get(CT).sopInstanceUid(), CT2_UID, inst.get(RTPLAN).sopInstanceUid(),
                inst.get(RTDOSE).sopInstanceUid());
        for (String s : List.of(CT, CT2, RTPLAN, RTDOSE)) {
            Path theirs = received.get(inst.get(s).sopInstanceUid());
            assertThat(StorageSource.probe(theirs).transferSyntax().uid()).isEqualTo(inst.get(s).transferSyntaxUid());
            assertThat(StoredFiles.dataSet(theirs)).as("data set of %s as storescp +B stored it", s).isEqualTo(StoredFiles.dataSet(inst.get(s).path()));
        }
    }

    /** Table C.4-2: A801, and no sub-operation. */
    @Test void c4215UnknownMoveDestinationIsRefusedWithA801() throws Exception {
        StoreInteropTest.clean(storescpDir);
        Peers.Result r = Peers.run(List.of("movescu", "-v", "-S", "-aec", "ARCHIVE", "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=" + study(CT), "127.0.0.1", String.valueOf(server.port())), Duration.ofSeconds(60));
        assertThat(r.output()).contains("Received Final Move Response (Refused: MoveDestinationUnknown)");
        assertThat(StoredFiles.byInstance(storescpDir)).isEmpty();
        try (QueryRetrieveScu scu = ourScu(QueryRetrieveModel.STUDY_ROOT, List.of(), null)) {
            DimseResponse last = last(scu.move(studyKeys(study(CT)), "NOWHERE"));
            assertThat(last.status()).isEqualTo(0xA801);
            assertThat(last.command().contains(0x00001021)).as("no sub-operation counts").isFalse();
        }
    }

    /** Table C.4-2: B000 when some sub-operations failed, with their Failed SOP Instance UID List (§C.4.2.1.4.2). */
    @Test void c42152SomeSubOperationsFailedIsB000WithTheFailedList() throws Exception {
        try (QueryRetrieveScu scu = ourScu(QueryRetrieveModel.STUDY_ROOT, List.of(), null)) {
            List<DimseResponse> all = drain(scu.move(studyKeys(study(CT), study(RTPLAN)), "PICKYSCP"));
            DimseResponse last = all.get(all.size() - 1);
            assertThat(last.status()).isEqualTo(0xB000);
            assertThat(counts(last)).containsExactly(-1, 2, 1, 0);
            assertThat(last.data().getStrings(0x00080058)).containsExactly(inst.get(RTPLAN).sopInstanceUid());
            // a pending response after each sub-operation but the last, counting down
            assertThat(all.subList(0, all.size() - 1)).allMatch(x -> x.status() == 0xFF00 && x.data() == null)
                    .extracting(x -> x.command().getInt(0x00001020, -1)).containsExactly(2, 1);
        }
        assertThat(StoredFiles.byInstance(pickyDir).keySet()).containsExactlyInAnyOrder(inst.get(CT).sopInstanceUid(), CT2_UID);
    }

    /** Table C.4-2: A702 when every sub-operation failed (here: the destination does not answer). */
    @Test void c4215AllSubOperationsFailedIsA702() throws Exception {
        try (QueryRetrieveScu scu = ourScu(QueryRetrieveModel.PATIENT_ROOT, List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "PATIENT");
            keys.setString(Tag.PatientID, VR.LO, "1CT1");
            DimseResponse last = last(scu.move(keys, "DEADSCP"));
            assertThat(last.status()).isEqualTo(0xA702);
            assertThat(counts(last)).containsExactly(-1, 0, 2, 0);
            assertThat(last.data().getStrings(0x00080058)).containsExactlyInAnyOrder(inst.get(CT).sopInstanceUid(), CT2_UID);
        }
    }

    /**
     * §C.4.2.2.1 and §C.4.2.3.1: movescu cancels after the first pending response; the archive
     * stops after the sub-operation in progress and answers FE00. (Whether the second
     * sub-operation had started when the C-CANCEL arrived is up to timing: the destination holds
     * it until then, so the move ends either way.)
     */
    @Test void c4231MovescuCancelEndsWithFE00() throws Exception {
        StoreInteropTest.clean(slowDir);
        Peers.Result r = Peers.run(List.of("movescu", "-v", "-S", "--cancel", "1", "-aec", "ARCHIVE", "-aem", "SLOWSCP",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study(CT) + "\\" + study(MR) + "\\" + study(RTDOSE),
                "127.0.0.1", String.valueOf(server.port())), Duration.ofSeconds(60));
        assertThat(observed.cancelSeen.getCount()).as("C-CANCEL reached the archive").isZero();
        assertThat(r.output()).contains("Sending Cancel Request")
                .contains("Received Final Move Response (Cancel: SubOperationsTerminatedDueToCancelIndication)");
        assertThat(StoredFiles.byInstance(slowDir).size()).as("instances moved before the cancel took effect").isBetween(1, 2);
    }

    /**
     * §C.4.2.2.1: after a cancel, the Remaining count is what was not initiated and the Failed SOP
     * Instance UID List names the instances not moved. Our SCU cancels while the destination holds
     * the first sub-operation, so exactly one completes.
     */
    @Test void c4221CancelledMoveCountsAndListsTheInstancesNotSent() throws Exception {
        StoreInteropTest.clean(slowDir);
        slowHoldAt = 1;
        try (QueryRetrieveScu scu = ourScu(QueryRetrieveModel.STUDY_ROOT, List.of(), null)) {
            PendingRequest p = scu.move(studyKeys(study(CT), study(MR), study(RTDOSE)), "SLOWSCP");
            await(slowHolding);
            p.cancel(scu.contextOf("move"));
            List<DimseResponse> all = drain(p);
            DimseResponse last = all.get(all.size() - 1);
            assertThat(last.status()).isEqualTo(0xFE00);
            assertThat(counts(last)).containsExactly(3, 1, 0, 0);
            assertThat(all.subList(0, all.size() - 1)).extracting(DimseResponse::status).containsOnly(0xFF00);
            Set<String> requested = Set.of(inst.get(CT).sopInstanceUid(), CT2_UID, inst.get(MR).sopInstanceUid(), inst.get(RTDOSE).sopInstanceUid());
            Set<String> sent = StoredFiles.byInstance(slowDir).keySet();
            assertThat(sent).hasSize(1).isSubsetOf(requested);
            assertThat(last.data().getStrings(0x00080058)).containsExactlyInAnyOrderElementsOf(
                    requested.stream().filter(u -> !sent.contains(u)).toList());
        }
    }

    @Test void c42RetrieveWithoutTheUniqueKeyOfItsLevelFails() throws Exception {
        try (QueryRetrieveScu scu = ourScu(QueryRetrieveModel.STUDY_ROOT, List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "SERIES");
            keys.setString(Tag.StudyInstanceUID, VR.UI, study(CT));
            DimseResponse last = last(scu.move(keys, "STORESCP"));
            assertThat(last.status()).isEqualTo(0xC000);
            assertThat(last.command().getString(0x00000902)).contains("SeriesInstanceUID");
            keys.setString(Tag.SeriesInstanceUID, VR.UI, "1.2.*");
            assertThat(last(scu.move(keys, "STORESCP")).status()).as("no wild cards in a retrieve").isEqualTo(0xC000);
        }
    }

    // ---- C-GET (PS3.4 §C.4.3) ----------------------------------------------------------------

    /** §C.4.3.1: the instances come on the requestor's own association, unchanged (getscu +B keeps the bytes). */
    @Test void c431GetscuRetrievesAStudyOnTheSameAssociationByteIdentical() throws Exception {
        Path out = Files.createTempDirectory(work, "getscu");
        Peers.Result r = Peers.run(List.of("getscu", "-v", "+B", "-S", "-aec", "ARCHIVE", "-od", out.toString(), "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=" + study(CT), "127.0.0.1", String.valueOf(server.port())), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Number of Completed Suboperations : 2").contains("Number of Failed Suboperations    : 0");
        Map<String, Path> got = StoredFiles.byInstance(out);
        assertThat(got.keySet()).containsExactlyInAnyOrder(inst.get(CT).sopInstanceUid(), CT2_UID);
        assertThat(StoredFiles.dataSet(got.get(CT2_UID))).isEqualTo(StoredFiles.dataSet(inst.get(CT2).path()));
        assertThat(StoredFiles.dataSet(got.get(inst.get(CT).sopInstanceUid()))).isEqualTo(StoredFiles.dataSet(inst.get(CT).path()));
    }

    /**
     * getscu (3.6.7) offers explicit VR little endian only for the storage contexts of its C-GET,
     * even with +xi: implicit VR objects then arrive transcoded, with the same content.
     */
    @Test void c431GetscuImplicitVrObjectsArriveTranscodedWithTheSameContent() throws Exception {
        Path out = Files.createTempDirectory(work, "getscu");
        Peers.Result r = Peers.run(List.of("getscu", "-v", "+B", "-S", "-aec", "ARCHIVE", "-od", out.toString(), "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=" + study(RTPLAN) + "\\" + study(RTDOSE), "127.0.0.1", String.valueOf(server.port())), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        Map<String, Path> got = StoredFiles.byInstance(out);
        for (String s : List.of(RTPLAN, RTDOSE)) {
            Path file = got.get(inst.get(s).sopInstanceUid());
            assertThat(StorageSource.probe(file).transferSyntax().uid()).isEqualTo(EXPLICIT_LE);
            assertThat(DicomFile.read(file).dataSet().contentEquals(DicomFile.read(inst.get(s).path()).dataSet())).as(s).isTrue();
        }
    }

    /** §C.4.3.1: an instance for which the requestor offered no storage context with the SCP role is a failed sub-operation. */
    @Test void c431InstanceWithoutAContextCountsAsFailed() throws Exception {
        Path out = Files.createTempDirectory(work, "get");
        FolderStorage storage = new FolderStorage(out);
        try (QueryRetrieveScu scu = ourScu(QueryRetrieveModel.STUDY_ROOT, List.of(QueryRetrieveScu.Receive.of(CT_IMAGE, EXPLICIT_LE)), storage)) {
            DimseResponse last = last(scu.get(studyKeys(study(CT), study(RTPLAN))));
            assertThat(last.status()).isEqualTo(0xB000);
            assertThat(counts(last)).containsExactly(-1, 2, 1, 0);
            assertThat(last.data().getStrings(0x00080058)).containsExactly(inst.get(RTPLAN).sopInstanceUid());
        }
        assertThat(StoredFiles.byInstance(out).keySet()).containsExactlyInAnyOrder(inst.get(CT).sopInstanceUid(), CT2_UID);
    }

    /** §C.4.3: C-CANCEL of a C-GET, our SCU cancelling while it holds the first sub-operation: FE00 after it. */
    @Test void c43CancelledGetEndsWithFE00() throws Exception {
        Path out = Files.createTempDirectory(work, "get");
        FolderStorage storage = new FolderStorage(out);
        CountDownLatch holding = new CountDownLatch(1);
        DimseServices.StoreHandler holdFirst = (as, rq, data) -> {
            if (holding.getCount() > 0) {
                holding.countDown();
                await(observed.cancelSeen);
            }
            return storage.store(as, rq, data);
        };
        List<QueryRetrieveScu.Receive> needs = List.of(QueryRetrieveScu.Receive.of(CT_IMAGE, EXPLICIT_LE), QueryRetrieveScu.Receive.of("1.2.840.10008.5.1.4.1.1.4", EXPLICIT_LE));
        try (QueryRetrieveScu scu = ourScu(QueryRetrieveModel.STUDY_ROOT, needs, holdFirst)) {
            PendingRequest p = scu.get(studyKeys(study(CT), study(MR)));
            await(holding);
            p.cancel(scu.contextOf("get"));
            DimseResponse last = last(p);
            assertThat(last.status()).isEqualTo(0xFE00);
            assertThat(counts(last)).containsExactly(2, 1, 0, 0);
            assertThat(last.data().getStrings(0x00080058)).hasSize(2).doesNotContainAnyElementsOf(StoredFiles.byInstance(out).keySet());
        }
        assertThat(StoredFiles.byInstance(out)).hasSize(1);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private String study(String sample) {
        return inst.get(sample).studyInstanceUid();
    }

    private IndexedInstance byStudy(String studyUid) {
        return inst.values().stream().filter(i -> i.studyInstanceUid().equals(studyUid)).findFirst().orElseThrow();
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> out = new ArrayList<>(a);
        out.addAll(Arrays.asList(more));
        return out;
    }

    private Peers.Result findscu(Path out, String... args) throws IOException {
        return findscuAt(server.port(), out, args);
    }

    private Peers.Result findscuAt(int port, Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("findscu", "-v", "-X", "-od", out.toString(), "-aet", "FINDSCU", "-aec", "ARCHIVE"));
        List<String> files = new ArrayList<>();
        for (String a : args) (a.endsWith(".dcm") ? files : cmd).add(a);
        cmd.add("127.0.0.1");
        cmd.add(String.valueOf(port));
        cmd.addAll(files);
        Peers.Result r = Peers.run(cmd, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r;
    }

    /** StudyInstanceUIDs of a STUDY level Study Root query with these keys. */
    private List<String> findStudies(String... keys) throws IOException {
        Path out = Files.createTempDirectory(work, "find");
        List<String> args = new ArrayList<>(List.of("-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID"));
        args.addAll(Arrays.asList(keys));
        Peers.Result r = findscu(out, args.toArray(String[]::new));
        assertThat(r.output()).contains("Received Final Find Response (Success)");
        return studies(responses(out));
    }

    private Path queryFile(String charset, String patientName) throws IOException {
        Attributes q = new Attributes();
        q.setString(Tag.SpecificCharacterSet, VR.CS, charset);
        q.setString(0x00080052, VR.CS, "STUDY");
        q.setString(Tag.PatientName, VR.PN, patientName);
        q.setString(Tag.PatientID, VR.LO, "");
        q.setString(Tag.StudyInstanceUID, VR.UI, "");
        Path f = Files.createTempFile(work, "query", ".dcm");
        DicomFile.write(f, FileMetaInformation.create("1.2.840.10008.5.1.4.1.2.2.1", "2.25.1", EXPLICIT_LE), q, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        return f;
    }

    /** The one match of a Study Root STUDY query on Patient Name, sent as a query file with its own character set. */
    private Attributes findWithQueryFile(String charset, String patientName) throws IOException {
        Path out = Files.createTempDirectory(work, "find");
        findscu(out, "-S", queryFile(charset, patientName).toString());
        List<Attributes> rsp = responses(out);
        assertThat(rsp).as("matches of %s", patientName).hasSize(1);
        return rsp.get(0);
    }

    /** findscu -X writes each match to rsp0001.dcm, rsp0002.dcm … */
    private static List<Attributes> responses(Path dir) throws IOException {
        List<Attributes> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("rsp\\d+\\.dcm")).sorted().toList()) {
                out.add(DicomFile.read(f).dataSet());
            }
        }
        return out;
    }

    private static List<String> studies(List<Attributes> rsp) {
        return rsp.stream().map(a -> a.getString(Tag.StudyInstanceUID)).toList();
    }

    private static List<Integer> tags(Attributes a) {
        List<Integer> t = new ArrayList<>();
        for (DicomElement e : a) t.add(e.tag());
        return t;
    }



    private QueryRetrieveScu ourScu(QueryRetrieveModel model, List<QueryRetrieveScu.Receive> receive, DimseServices.StoreHandler store) throws IOException {
        return QueryRetrieveScu.open("127.0.0.1", server.port(), "ARCHIVE", "OURSCU", model, receive, store, AssociationOptions.DEFAULT);
    }

    private static Attributes studyKeys(String... studies) {
        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, "STUDY");
        keys.setString(Tag.StudyInstanceUID, VR.UI, studies);
        return keys;
    }

    private static List<DimseResponse> drain(PendingRequest p) throws IOException {
        List<DimseResponse> all = new ArrayList<>();
        for (DimseResponse r = p.next(); r != null; r = p.next()) all.add(r);
        return all;
    }

    private static DimseResponse last(PendingRequest p) throws IOException {
        List<DimseResponse> all = drain(p);
        return all.get(all.size() - 1);
    }

    /** Remaining, completed, failed, warning (-1 when absent). */
    private static List<Integer> counts(DimseResponse r) {
        Attributes c = r.command();
        return List.of(c.getInt(0x00001020, -1), c.getInt(0x00001021, -1), c.getInt(0x00001022, -1), c.getInt(0x00001023, -1));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The archive's handler, noting each C-CANCEL it receives. */
    static final class ObservedHandler implements RequestHandler {
        volatile RequestHandler delegate;
        volatile CountDownLatch cancelSeen = new CountDownLatch(1);

        @Override public void onRequest(Association as, int pcid, Attributes command, InputStream data) throws IOException {
            delegate.onRequest(as, pcid, command, data);
        }

        @Override public void onCancel(Association as, int messageId) {
            delegate.onCancel(as, messageId);
            cancelSeen.countDown();
        }

        @Override public void onClose(Association as) {
            delegate.onClose(as);
        }
    }

    /** An in-memory index that, while a gate is set, holds back its second instance until the gate opens. */
    static final class GatedIndex implements ArchiveIndex {
        private final MemoryIndex delegate = new MemoryIndex();
        volatile CountDownLatch gate;

        @Override public Optional<IndexedInstance> put(IndexedInstance instance) { return delegate.put(instance); }

        @Override public Optional<IndexedInstance> get(String sopInstanceUid) { return delegate.get(sopInstanceUid); }

        @Override public int size() { return delegate.size(); }

        @Override public Stream<IndexedInstance> instances() {
            CountDownLatch g = gate;
            Stream<IndexedInstance> all = delegate.instances();
            if (g == null) return all;
            Iterator<IndexedInstance> it = all.iterator();
            Iterator<IndexedInstance> held = new Iterator<>() {
                private int n;

                @Override public boolean hasNext() { return it.hasNext(); }

                @Override public IndexedInstance next() {
                    if (n++ == 1) await(g);
                    return it.next();
                }
            };
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(held, 0), false);
        }
    }
}
