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
import org.dicomrelay.testkit.Orthanc;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Our SCUs against Orthanc 1.10.1: C-STORE, C-FIND, C-MOVE and C-GET (PS3.4 Annexes B and C). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class OrthancInteropTest {
    static final List<String> FILES = List.of("test_files/CT_small.dcm", "test_files/MR_small.dcm", "test_files/rtplan.dcm",
            "test_files/JPEG2000.dcm", "test_files/ExplVR_BigEnd.dcm");

    private Path work;
    private Orthanc orthanc;
    private DicomServer dest;
    private Path destDir;
    private final List<StorageSource> sources = new ArrayList<>();

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("orthanc");
        destDir = work.resolve("dest");
        dest = DicomServer.start(new ApplicationEntity("OURDEST").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(destDir)));
        orthanc = Orthanc.start(work, "ORTHANC", Map.of("OURDEST", dest.port()));
        for (String f : FILES) sources.add(StorageSource.probe(Samples.file(f)));
        // Every test starts from a loaded archive: store first (independent of test order).
        for (StorageSource s : sources) {
            try (StoreScu scu = StoreScu.open("127.0.0.1", orthanc.port(), "ORTHANC", "OURSCU",
                    List.of(new StoreScu.Need(s.sopClassUid(), s.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                DimseResponse rsp = scu.store(s);
                assertThat(rsp.status()).as("C-STORE of %s into Orthanc", s.file()).isZero();
            }
        }
    }

    @AfterAll void stop() throws Exception {
        orthanc.close();
        dest.close();
    }

    private QueryRetrieveScu open(List<QueryRetrieveScu.Receive> receive, DimseServices.StoreHandler h) throws Exception {
        return QueryRetrieveScu.open("127.0.0.1", orthanc.port(), "ORTHANC", "OURSCU", QueryRetrieveModel.STUDY_ROOT, receive, h,
                AssociationOptions.DEFAULT);
    }

    private static String study(StorageSource s) throws Exception {
        return DicomFile.read(s.file()).dataSet().getString(Tag.StudyInstanceUID);
    }

    @Test void storedObjectsKeepTheirTransferSyntaxInOrthanc() throws Exception {
        Set<String> syntaxes = new HashSet<>();
        try (var files = Files.walk(orthanc.storage)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try {
                    syntaxes.add(StorageSource.probe(f).transferSyntax().uid());
                } catch (Exception notDicom) {
                    // Orthanc's index database lives in the same folder
                }
            }
        }
        for (StorageSource s : sources) assertThat(syntaxes).contains(s.transferSyntax().uid());
    }

    @Test void findAtStudyLevelReturnsTheStoredStudies() throws Exception {
        Set<String> expected = new HashSet<>();
        for (StorageSource s : sources) expected.add(study(s));
        try (QueryRetrieveScu scu = open(List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.StudyInstanceUID, VR.UI, "");
            keys.setString(Tag.PatientName, VR.PN, "");
            PendingRequest p = scu.find(keys);
            Set<String> found = new HashSet<>();
            DimseResponse r;
            while ((r = p.next()) != null) {
                if (r.isPending()) found.add(r.data().getString(Tag.StudyInstanceUID));
                else assertThat(r.status()).isZero();
            }
            assertThat(found).containsAll(expected);
        }
    }

    @Test void moveSendsTheStudyToTheDestination() throws Exception {
        StorageSource ct = sources.get(0);
        try (QueryRetrieveScu scu = open(List.of(), null)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.StudyInstanceUID, VR.UI, study(ct));
            PendingRequest p = scu.move(keys, "OURDEST");
            DimseResponse r, last = null;
            while ((r = p.next()) != null) last = r;
            assertThat(last.status()).isZero();
        }
        Path got = destDir.resolve(ct.sopInstanceUid() + ".dcm");
        assertThat(got).exists();
        assertThat(DicomFile.read(got).dataSet().getString(Tag.SOPInstanceUID)).isEqualTo(ct.sopInstanceUid());
    }

    @Test void getDeliversTheStudyOnTheSameAssociationInItsOwnSyntax() throws Exception {
        StorageSource j2k = sources.get(3);
        Path into = work.resolve("get");
        try (QueryRetrieveScu scu = open(List.of(QueryRetrieveScu.Receive.of(j2k.sopClassUid(), j2k.transferSyntax().uid())),
                new FolderStorage(into))) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.StudyInstanceUID, VR.UI, study(j2k));
            PendingRequest p = scu.get(keys);
            DimseResponse r, last = null;
            while ((r = p.next()) != null) last = r;
            assertThat(last.status()).isZero();
        }
        Path got = into.resolve(j2k.sopInstanceUid() + ".dcm");
        assertThat(StorageSource.probe(got).transferSyntax().uid()).isEqualTo(j2k.transferSyntax().uid());
        // Orthanc (DCMTK inside) rewrites sequences of undefined length with explicit lengths: the same
        // attributes and the same compressed fragments, not the same bytes.
        assertThat(DicomFile.read(got).dataSet().contentEquals(DicomFile.read(j2k.file()).dataSet()))
                .as("JPEG 2000 data set through Orthanc, attribute by attribute").isTrue();
    }
}
