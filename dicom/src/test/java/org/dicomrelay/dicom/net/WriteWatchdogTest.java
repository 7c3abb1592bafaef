package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.dimse.CommandCodec;
import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.PDataTf;
import org.dicomrelay.dicom.net.pdu.Pdv;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A peer that asks for matches and then stops reading must not hold a server thread forever:
 * a write blocked longer than the write timeout closes the connection.
 */
@Timeout(60)
class WriteWatchdogTest {
    static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";

    @Test void aPeerThatStopsReadingIsCutOffAfterTheWriteTimeout() throws Exception {
        char[] big = new char[60_000];
        Arrays.fill(big, 'x');
        String description = new String(big);
        ApplicationEntity ae = new ApplicationEntity("SCP").accept(STUDY_ROOT_FIND, "1.2.840.10008.1.2")
                .options(AssociationOptions.DEFAULT.withWriteTimeout(Duration.ofSeconds(1)));
        DimseServices services = new DimseServices().onFind((as, rq, responder) -> {
            Attributes match = new Attributes();
            match.setString(0x00081030, VR.LO, description);
            while (!rq.isCancelled()) responder.match(match); // endless matches: only a closed connection stops this
        });
        try (DicomServer server = DicomServer.start(ae, "127.0.0.1", 0, 4, services);
             ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            AssociationRequest req = new AssociationRequest("SCP", "SILENT");
            int pcid = req.propose(STUDY_ROOT_FIND, "1.2.840.10008.1.2");
            peer.send(req.build(AssociationOptions.DEFAULT));
            peer.expect(AAssociateAc.class);
            Attributes find = new Attributes();
            find.setString(0x00000002, VR.UI, STUDY_ROOT_FIND);
            find.setInt(0x00000100, VR.US, 0x0020);
            find.setInt(0x00000110, VR.US, 1);
            find.setInt(0x00000700, VR.US, 0);
            find.setInt(0x00000800, VR.US, 0);
            byte[] cmd = CommandCodec.encode(find);
            byte[] identifier = {0x08, 0x00, 0x52, 0x00, 0x06, 0, 0, 0, 'S', 'T', 'U', 'D', 'Y', ' '};
            peer.send(new PDataTf(List.of(new Pdv(pcid, true, true, cmd))), new PDataTf(List.of(new Pdv(pcid, false, true, identifier))));
            // From here the peer reads nothing: the server's socket buffers fill and its writes block.
            await().atMost(Duration.ofSeconds(30)).until(() -> server.activeAssociations() == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> server.activeAssociations() == 0);
        }
    }
}
