package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.AssociationRequest;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.router.Spool;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Loss of authority is a refusal at the door. Router A is revoked through the Bridge's admin API
 * mid-work: from the moment it hears the Bridge refuse its credentials (its waiting inbox poll
 * ends with 401 at once) it takes no new work — new associations are rejected (A-ASSOCIATE-RJ
 * permanent, PS3.8 §9.3.4, never an A-ABORT), a C-STORE on an association already open is
 * answered 0124 "not authorized" with an Error Comment, never Success — while what it had
 * acknowledged stays in its spool, and the revocation is logged once. With the Bridge down (not a
 * refusal), a relayed C-ECHO is answered 0110 with the cause, and the association is released.
 */
@Timeout(120)
class RevocationAtTheDoorTest {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private RelayNetwork net;

    @AfterEach void stop() {
        if (net != null) net.close();
    }

    private static final Path CT_SAMPLE = Samples.file("test_files/CT_small.dcm");

    private Association open(String calledAe) throws Exception {
        AssociationRequest req = new AssociationRequest(calledAe, RelayNetwork.WORKSTATION);
        req.propose(Verification.SOP_CLASS, Verification.IMPLICIT_LE);
        req.propose(CT, StorageSource.probe(CT_SAMPLE).transferSyntax().uid());
        return Association.connect("127.0.0.1", net.portA(), req.build(AssociationOptions.DEFAULT), AssociationOptions.DEFAULT, null);
    }

    private static DimseResponse echo(Association as) throws Exception {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, Verification.SOP_CLASS);
        c.setInt(0x00000100, VR.US, 0x0030);
        return as.invoke(as.findContext(Verification.SOP_CLASS, null), c, null).next();
    }

    /** C-STORE of a sample, its data set as it is on disk. */
    private static DimseResponse store(Association as, StorageSource src) throws Exception {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, src.sopClassUid());
        c.setInt(0x00000100, VR.US, 0x0001);
        c.setInt(0x00000700, VR.US, 0);
        c.setString(0x00001000, VR.UI, src.sopInstanceUid());
        return as.invoke(as.findContext(src.sopClassUid(), src.transferSyntax().uid()), c,
                out -> {
                    try (java.io.InputStream in = src.openDataSet()) {
                        in.transferTo(out);
                    }
                }).next();
    }

    @Test void aRevokedRouterRefusesNewWorkAndKeepsWhatItAcknowledged() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).downDeviceB("DOWN_B", List.of("store")).start();
        // acknowledged by A (spooled), not deliverable: DOWN_B's address answers nothing
        Path rt = Samples.file("test_files/rtplan.dcm");
        Peers.Result acked = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", "DOWN_B", "127.0.0.1",
                String.valueOf(net.portA()), rt.toString());
        assertThat(acked.exitCode()).as(acked.output()).isZero();
        String ackedUid = DicomFile.read(rt).dataSet().getString(0x00080018);
        Association open = open(net.pacsAe);
        assertThat(echo(open).status()).as("relayed echo while authorised").isZero();

        net.revoke("hospital-a");
        await("router A hears the refusal").atMost(Duration.ofSeconds(30)).until(() -> net.a.authority().revoked());

        // an association already open: 0124 with the reason, never Success; it goes on and is released
        StorageSource ct = StorageSource.probe(CT_SAMPLE);
        DimseResponse refused = store(open, ct);
        assertThat(refused.status()).isEqualTo(0x0124);
        assertThat(refused.command().getString(0x00000902)).contains("refused by the Bridge (revoked?)");
        assertThat(echo(open).status()).isEqualTo(0x0124);
        open.release();
        assertThat(open.failure()).isNull();

        // new associations: rejected, not aborted (DCMTK's view)
        Peers.Result echoscu = RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                String.valueOf(net.portA()));
        assertThat(echoscu.exitCode()).isNotZero();
        assertThat(echoscu.output()).containsIgnoringCase("Association Rejected").doesNotContainIgnoringCase("abort");
        Peers.Result storescu = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                String.valueOf(net.portA()), Samples.file("test_files/MR_small.dcm").toString());
        assertThat(storescu.exitCode()).isNotZero();
        assertThat(storescu.output()).containsIgnoringCase("Association Rejected").doesNotContainIgnoringCase("abort");

        // what was acknowledged before is kept (reported by `spool`), nothing new was taken
        assertThat(Spool.of(net.configA.state()).entries()).extracting(org.dicomrelay.router.SpoolEntry::sopInstanceUid).containsExactly(ackedUid);
        assertThat(RelayNetwork.storedByStorescp(net.pacsDir, ct.sopInstanceUid())).isEmpty();

        List<String> said = net.logs.lines().stream().filter(l -> l.contains("credentials were refused by the Bridge")).toList();
        assertThat(said).as("the revocation, logged once at ERROR").singleElement().asString().startsWith("SEVERE org.dicomrelay.router.Authority");
        assertThat(net.logs.lines()).anyMatch(l -> l.startsWith("WARNING org.dicomrelay.router.RelayScp") && l.contains("refused association")
                && l.contains("revoked"));
        // the Bridge, at the router's next call (its inbox poll or directory sync), logs the refused key with the address
        await("the Bridge logs the revoked router's next call").atMost(Duration.ofSeconds(30)).until(() -> net.logs.lines().stream()
                .anyMatch(l -> l.contains("failed authentication from 127.0.0.1") && l.contains("router hospital-a, which is revoked")));
        assertThat(net.logs.lines().stream().filter(l -> l.contains("credentials were refused by the Bridge"))).hasSize(1);
    }

    @Test void aRelayedEchoWithTheBridgeDownIsAnswered0110WithTheCauseAndReleased() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).start();
        net.bridge.close();
        net.bridge = null;

        Association as = open(net.pacsAe);
        DimseResponse rsp = echo(as);
        assertThat(rsp.status()).isEqualTo(0x0110);
        assertThat(rsp.command().getString(0x00000902)).isEqualTo("relay failed: the Bridge is unreachable");
        as.release();
        assertThat(as.failure()).isNull();
        assertThat(net.a.authority().revoked()).as("a Bridge that does not answer has not refused anything").isFalse();

        Peers.Result echoscu = RelayNetwork.tool("echoscu", "-d", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                String.valueOf(net.portA()));
        assertThat(echoscu.output()).contains("Echo Response (Unknown Status: 0x110)").contains("relay failed: the Bridge is unreachable")
                .contains("Releasing Association").doesNotContainIgnoringCase("abort");
        assertThat(net.logs.lines()).filteredOn(l -> l.contains("org.dicomrelay.router.")).noneMatch(l -> l.endsWith(": null") || l.contains("ended: null"));
    }
}
