package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.AAssociateRq;
import org.dicomrelay.dicom.net.pdu.AReleaseRp;
import org.dicomrelay.dicom.net.pdu.AReleaseRq;
import org.dicomrelay.dicom.net.pdu.PDataTf;
import org.dicomrelay.dicom.net.pdu.Pdu;
import org.dicomrelay.dicom.net.pdu.PduReader;
import org.dicomrelay.dicom.net.pdu.PduWriter;
import org.dicomrelay.dicom.net.pdu.Pdv;
import org.dicomrelay.dicom.net.pdu.PresentationContext;
import org.dicomrelay.dicom.net.pdu.UserInformation;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data path of C-STORE in PDUs (PS3.8 §9.3.5, Annex D.1, Annex E): the requestor fills each
 * P-DATA-TF up to the acceptor's maximum length and never past it, one PDU per write; the
 * acceptor takes the data set as it arrives, PDU after PDU, into the same buffer.
 */
@Timeout(60)
class PDataFragmentationTest {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    /** An odd maximum: PDVs must follow the number the acceptor announced, not a power of two. */
    private static final int PEER_MAX = 4001;

    @TempDir Path dir;

    @Test void dataPdusFillTheAcceptorsMaximumLengthAndNeverExceedIt() throws Exception {
        Path file = ct(dir.resolve("ct.dcm"), 50_000, 1);
        StorageSource src = StorageSource.probe(file);
        try (ScriptedPeer.Listener listener = new ScriptedPeer.Listener()) {
            CompletableFuture<DimseResponse> sent = CompletableFuture.supplyAsync(() -> {
                try (StoreScu scu = StoreScu.open("127.0.0.1", listener.port(), "PEER", "US",
                        Set.of(new StoreScu.Need(CT, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())), AssociationOptions.DEFAULT)) {
                    return scu.store(src);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (ScriptedPeer peer = listener.accept()) {
                AAssociateRq rq = peer.expect(AAssociateRq.class);
                int pcid = rq.presentationContexts().get(0).id();
                peer.send(new AAssociateAc(1, rq.calledAeTitle(), rq.callingAeTitle(), rq.applicationContext(),
                        List.of(PresentationContext.ac(pcid, PresentationContext.ACCEPTANCE, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())),
                        UserInformation.of(PEER_MAX, "1.2.3.4", "SCRIPTED")));
                Attributes command = ScriptedPeer.commandOf(peer.next());
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                List<Integer> pduLengths = new ArrayList<>();
                boolean last = false;
                while (!last) {
                    PDataTf p = (PDataTf) peer.next();
                    assertThat(p.pdvs()).as("one PDV per P-DATA-TF").hasSize(1);
                    Pdv pdv = p.pdvs().get(0);
                    assertThat(pdv.command()).isFalse();
                    assertThat(pdv.presentationContextId()).isEqualTo(pcid);
                    pduLengths.add((int) PduWriter.pDataLength(pdv.length()));
                    data.write(pdv.data(), pdv.offset(), pdv.length());
                    last = pdv.last();
                }
                assertThat(pduLengths).as("P-DATA-TF lengths (PS3.8 D.1: at most the announced maximum)").allMatch(l -> l <= PEER_MAX);
                assertThat(pduLengths.subList(0, pduLengths.size() - 1)).as("all but the last PDU full").allMatch(l -> l == PEER_MAX);
                assertThat(data.toByteArray()).as("the data set as in the file").isEqualTo(dataSetOf(file, src));

                Attributes rsp = new Attributes();
                rsp.setString(0x00000002, VR.UI, CT);
                rsp.setInt(0x00000100, VR.US, 0x8001);
                rsp.setInt(0x00000120, VR.US, command.getInt(0x00000110, -1));
                rsp.setInt(0x00000800, VR.US, 0x0101);
                rsp.setInt(0x00000900, VR.US, 0x0000);
                rsp.setString(0x00001000, VR.UI, src.sopInstanceUid());
                peer.send(new PDataTf(List.of(new Pdv(pcid, true, true, org.dicomrelay.dicom.net.dimse.CommandCodec.encode(rsp)))));
                peer.expect(AReleaseRq.class);
                peer.send(new AReleaseRp());
                assertThat(sent.get(10, TimeUnit.SECONDS).status()).isZero();
            }
        }
    }

    @Test void objectsOfEverySizeArriveWholeThroughPduSizesAboveAndBelowTheirs() throws Exception {
        // Sizes straddle the PDV capacity of both ends, so the reused PDU buffer at the acceptor sees short, full and partial PDUs in turn.
        int[] pixelBytes = {2, 4_000, 16_370, 16_384, 250_000, 1_000_000, 10};
        List<StorageSource> sources = new ArrayList<>();
        for (int i = 0; i < pixelBytes.length; i++) sources.add(StorageSource.probe(ct(dir.resolve("in/" + i + ".dcm"), pixelBytes[i], i)));
        Path out = dir.resolve("out");
        for (long maxPdu : new long[] {16_384, 65_536 + 7}) {
            ApplicationEntity ae = new ApplicationEntity("OURSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY)
                    .options(AssociationOptions.DEFAULT.withMaxPdu(maxPdu, 0));
            try (DicomServer server = DicomServer.start(ae, "127.0.0.1", 0, 2, new DimseServices().onStore(new FolderStorage(out)));
                 StoreScu scu = StoreScu.open("127.0.0.1", server.port(), "OURSCP", "US",
                         Set.of(new StoreScu.Need(CT, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())), AssociationOptions.DEFAULT)) {
                for (StorageSource s : sources) assertThat(scu.store(s).status()).isZero();
            }
            for (StorageSource s : sources) {
                Path stored = out.resolve(s.sopInstanceUid() + ".dcm");
                StorageSource back = StorageSource.probe(stored);
                assertThat(dataSetOf(stored, back)).as("%s through max PDU %d", s.file().getFileName(), maxPdu).isEqualTo(dataSetOf(s.file(), s));
            }
        }
    }

    @Test void theReaderReusesOneBufferForPDataButNotForOtherPdus() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        PduWriter w = new PduWriter(wire);
        w.write(new PDataTf(List.of(new Pdv(1, false, false, new byte[] {1, 2, 3, 4}))));
        w.write(new PDataTf(List.of(new Pdv(1, false, true, new byte[] {5, 6}))));
        w.write(new AReleaseRq());
        PduReader r = new PduReader(new ByteArrayInputStream(wire.toByteArray()), 16384).reusePDataBuffer();
        Pdv first = ((PDataTf) r.read()).pdvs().get(0);
        byte[] firstBuffer = first.data();
        assertThat(java.util.Arrays.copyOfRange(first.data(), first.offset(), first.offset() + first.length())).containsExactly(1, 2, 3, 4);
        Pdv second = ((PDataTf) r.read()).pdvs().get(0);
        assertThat(second.data()).as("the same buffer").isSameAs(firstBuffer);
        assertThat(second.length()).as("its PDV length, not the buffer's").isEqualTo(2);
        assertThat(java.util.Arrays.copyOfRange(second.data(), second.offset(), second.offset() + second.length())).containsExactly(5, 6);
        Pdu release = r.read();
        assertThat(release).isInstanceOf(AReleaseRq.class);
    }

    /** The bytes after the meta information, as {@link StorageSource} sends them. */
    private static byte[] dataSetOf(Path file, StorageSource src) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return java.util.Arrays.copyOfRange(all, (int) src.dataSetStart(), all.length);
    }

    private static Path ct(Path file, int pixelBytes, int seed) throws IOException {
        Files.createDirectories(file.getParent());
        Attributes ds = new Attributes();
        ds.setString(Tag.SOPClassUID, VR.UI, CT);
        ds.setString(Tag.SOPInstanceUID, VR.UI, "2.25.4711" + seed + pixelBytes);
        ds.setString(Tag.PatientID, VR.LO, "PDU");
        byte[] pixels = new byte[pixelBytes];
        new Random(seed).nextBytes(pixels);
        try (OutputStream os = Files.newOutputStream(file)) {
            DicomOutputStream d = new DicomOutputStream(os, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
            d.writeFileMetaInformation(FileMetaInformation.of(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()));
            d.writeDataSet(ds);
            d.writeHeader(Tag.PixelData, VR.OW, pixels.length);
            d.writeBytes(pixels);
            d.finish();
        }
        return file;
    }
}
