package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.testkit.Dcmqrscp;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Our C-FIND / C-MOVE / C-GET SCU against DCMTK's dcmqrscp (PS3.4 Annex C). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DcmqrscpInteropTest {
    static final List<String> FILES = List.of("test_files/CT_small.dcm", "test_files/MR_small.dcm", "test_files/rtplan.dcm",
            "test_files/rtstruct.dcm", "test_files/rtdose.dcm", "test_files/JPEG2000.dcm", "test_files/ExplVR_BigEnd.dcm");

    private Path work;
    private Peers.Server qrscp;
    private Dcmqrscp dcmqrscp;
    private DicomServer dest;
    private Path destDir;
    private final List<StorageSource> sources = new ArrayList<>();

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("dcmqrscp");
        destDir = work.resolve("dest");
        dest = DicomServer.start(new ApplicationEntity("OURDEST").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(destDir)));
        dcmqrscp = Dcmqrscp.start(work, FILES, Map.of("OURDEST", dest.port()));
        qrscp = dcmqrscp.server;
        for (Path f : dcmqrscp.files) sources.add(StorageSource.probe(f));
    }

    @AfterAll void stop() throws Exception {
        qrscp.close();
        dest.close();
    }

    private QueryRetrieveScu open(QueryRetrieveModel model, List<QueryRetrieveScu.Receive> receive, DimseServices.StoreHandler h) throws IOException {
        if (!qrscp.isAlive()) throw new IllegalStateException("dcmqrscp died:\n" + qrscp.log());
        return QueryRetrieveScu.open("127.0.0.1", qrscp.port, "QRSCP", "OURSCU", model, receive, h, AssociationOptions.DEFAULT);
    }

    private static List<Attributes> all(PendingRequest p) throws IOException {
        List<Attributes> out = new ArrayList<>();
        DimseResponse r;
        while ((r = p.next()) != null) {
            if (r.isPending()) out.add(r.data());
            else assertThat(r.status()).as("final status").isZero();
        }
        return out;
    }

    private Set<String> studies() {
        Set<String> s = new HashSet<>();
        for (StorageSource src : sources) {
            try {
                s.add(DicomFile.read(src.file()).dataSet().getString(Tag.StudyInstanceUID));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return s;
    }

    @Test void studyRootFindAtStudyLevelWithAWildcardMatchesEveryStudy() throws Exception {
        try (QueryRetrieveScu scu = open(QueryRetrieveModel.STUDY_ROOT, List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.PatientName, VR.PN, "*");
            keys.setString(Tag.StudyInstanceUID, VR.UI, "");
            List<Attributes> matches = all(scu.find(keys));
            Set<String> found = new HashSet<>();
            for (Attributes m : matches) found.add(m.getString(Tag.StudyInstanceUID));
            assertThat(found).isEqualTo(studies());
        }
    }

    @Test void patientRootFindAtImageLevelReturnsEveryInstanceOfAStudy() throws Exception {
        StorageSource ct = sources.get(0);
        Attributes ds = DicomFile.read(ct.file()).dataSet();
        try (QueryRetrieveScu scu = open(QueryRetrieveModel.PATIENT_ROOT, List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "IMAGE");
            keys.setString(Tag.PatientID, VR.LO, ds.getString(Tag.PatientID));
            keys.setString(Tag.StudyInstanceUID, VR.UI, ds.getString(Tag.StudyInstanceUID));
            keys.setString(Tag.SeriesInstanceUID, VR.UI, ds.getString(Tag.SeriesInstanceUID));
            keys.setString(Tag.SOPInstanceUID, VR.UI, "");
            List<Attributes> matches = all(scu.find(keys));
            assertThat(matches).extracting(m -> m.getString(Tag.SOPInstanceUID)).contains(ct.sopInstanceUid());
        }
    }

    @Test void moveOfAStudyDeliversItsInstancesToTheDestination() throws Exception {
        StorageSource ct = sources.get(0);
        Attributes ds = DicomFile.read(ct.file()).dataSet();
        try (QueryRetrieveScu scu = open(QueryRetrieveModel.STUDY_ROOT, List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.StudyInstanceUID, VR.UI, ds.getString(Tag.StudyInstanceUID));
            PendingRequest p = scu.move(keys, "OURDEST");
            DimseResponse r, last = null;
            while ((r = p.next()) != null) last = r;
            assertThat(last.status()).isZero();
            assertThat(last.command().getInt(0x00001021, -1)).as("completed sub-operations").isPositive();
        }
        Path got = destDir.resolve(ct.sopInstanceUid() + ".dcm");
        assertThat(got).exists();
        assertSameInstance(DicomFile.read(got).dataSet(), ds);
    }

    @Test void moveToAnUnknownDestinationFailsWithA801() throws Exception {
        try (QueryRetrieveScu scu = open(QueryRetrieveModel.STUDY_ROOT, List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.StudyInstanceUID, VR.UI, studies().iterator().next());
            DimseResponse r, last = null;
            PendingRequest p = scu.move(keys, "NOWHERE");
            while ((r = p.next()) != null) last = r;
            assertThat(last.status()).isEqualTo(0xA801);
        }
    }

    @Test void getOfAStudyArrivesOnTheSameAssociation() throws Exception {
        StorageSource mr = sources.get(1);
        Attributes ds = DicomFile.read(mr.file()).dataSet();
        Path into = work.resolve("get");
        FolderStorage storage = new FolderStorage(into);
        List<QueryRetrieveScu.Receive> receive = new ArrayList<>();
        for (StorageSource s : sources) {
            receive.add(QueryRetrieveScu.Receive.of(s.sopClassUid(), s.transferSyntax().uid()));
            receive.add(QueryRetrieveScu.Receive.of(s.sopClassUid(), "1.2.840.10008.1.2.1"));
        }
        try (QueryRetrieveScu scu = open(QueryRetrieveModel.STUDY_ROOT, receive.stream().distinct().toList(), storage)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.StudyInstanceUID, VR.UI, ds.getString(Tag.StudyInstanceUID));
            DimseResponse r, last = null;
            PendingRequest p = scu.get(keys);
            while ((r = p.next()) != null) last = r;
            assertThat(last.status()).as("final C-GET status").isZero();
        }
        try (Stream<Path> files = Files.list(into)) {
            assertThat(files.map(f -> f.getFileName().toString())).contains(mr.sopInstanceUid() + ".dcm");
        }
        assertSameInstance(DicomFile.read(into.resolve(mr.sopInstanceUid() + ".dcm")).dataSet(), ds);
    }

    /** dcmqrscp may send in another uncompressed syntax than it stored: compare identity and pixels, not bytes. */
    private static void assertSameInstance(Attributes got, Attributes expected) {
        for (int tag : new int[] {Tag.SOPInstanceUID, Tag.SOPClassUID, Tag.StudyInstanceUID, Tag.PatientID, Tag.PatientName}) {
            assertThat(got.getString(tag)).as(Tag.toString(tag)).isEqualTo(expected.getString(tag));
        }
        Attributes a = new Attributes(got.bigEndian()), b = new Attributes(expected.bigEndian());
        a.set(got.get(Tag.PixelData));
        b.set(expected.get(Tag.PixelData));
        assertThat(a.contentEquals(b)).as("pixel data").isTrue();
    }

    @Test void cancelOfAFindEndsWithFE00() throws Exception {
        try (QueryRetrieveScu scu = open(QueryRetrieveModel.STUDY_ROOT, List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.StudyInstanceUID, VR.UI, "");
            PendingRequest p = scu.find(keys);
            DimseResponse first = p.next();
            assertThat(first.isPending()).isTrue();
            p.cancel(scu.contextOf("find"));
            DimseResponse r, last = first;
            while ((r = p.next()) != null) last = r;
            // dcmqrscp may have sent every match before the cancel arrived: then the final status is success.
            assertThat(last.status()).isIn(0xFE00, 0x0000);
        }
    }
}
