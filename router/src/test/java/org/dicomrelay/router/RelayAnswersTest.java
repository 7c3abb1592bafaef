package org.dicomrelay.router;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.AssociationRequest;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Relay-side failures are answered, not aborted: every relayed service returns a status with an
 * Error Comment (0000,0902) naming the cause (PS3.7 Annex C; C-ECHO 0110, C-FIND A700, C-MOVE
 * A701), and a router whose credentials the Bridge refused takes no new work (associations
 * rejected at the door, PS3.8 §9.3.4; C-STOREs on open ones answered 0124, never Success) until
 * the Bridge accepts them again.
 */
@Timeout(120)
class RelayAnswersTest {
    private static final List<String> ALL = List.of("echo", "store", "find", "move", "get");
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    private Path work;
    private DicomServer pacs;
    private Router a, b;
    private Authority authority;

    @BeforeEach void start() throws Exception {
        work = Files.createTempDirectory("relay-answers");
        LocalHub hub = new LocalHub();
        pacs = DicomServer.start(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(work.resolve("pacs"))));
        b = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", pacs.port(), ALL, List.of(), true))), hub.courier("hospital-b"), new RoutingTable());
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.copyOf(ALL)),
                // a route to a router that is not there: every send to it fails at once
                new RoutingTable.Route("GONE_X", "hospital-x", Set.copyOf(ALL))));
        authority = new Authority();
        a = Router.start(new RouterConfig("hospital-a", work.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                        List.of(new Device("WORKSTATION", "127.0.0.1", 1, List.of(), List.of(), false),
                                new Device("DEST_A", "127.0.0.1", 1, List.of("store"), List.of(), false))),
                new AuthorizedCourier(hub.courier("hospital-a"), authority), routes, authority);
    }

    @AfterEach void stop() throws Exception {
        a.close();
        b.close();
        pacs.close();
    }

    private Peers.Result run(String... cmd) throws Exception {
        return Peers.run(List.of(cmd), Duration.ofSeconds(60));
    }

    private Association open(String calledAe) throws Exception {
        AssociationRequest req = new AssociationRequest(calledAe, "WORKSTATION");
        req.propose(Verification.SOP_CLASS, IMPLICIT_LE);
        req.propose(CT, IMPLICIT_LE);
        return Association.connect("127.0.0.1", a.port(), req.build(AssociationOptions.DEFAULT), AssociationOptions.DEFAULT, null);
    }

    private static DimseResponse echo(Association as) throws Exception {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, Verification.SOP_CLASS);
        c.setInt(0x00000100, VR.US, 0x0030);
        return as.invoke(as.findContext(Verification.SOP_CLASS, null), c, null).next();
    }

    private static DimseResponse store(Association as, String iuid) throws Exception {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, CT);
        c.setInt(0x00000100, VR.US, 0x0001);
        c.setInt(0x00000700, VR.US, 0);
        c.setString(0x00001000, VR.UI, iuid);
        Attributes ds = new Attributes();
        ds.setString(0x00080016, VR.UI, CT);
        ds.setString(0x00080018, VR.UI, iuid);
        ds.setString(0x0020000D, VR.UI, "1.2.826.0.1.3680043.2.1125.99");
        return as.invoke(as.findContext(CT, null), c, out -> {
            DicomOutputStream d = new DicomOutputStream(out, TransferSyntax.of(IMPLICIT_LE));
            d.writeDataSet(ds);
            d.finish();
        }).next();
    }

    @Test void aRelayedEchoThatCannotBeSentIsAnswered0110WithTheCauseAndTheAssociationIsReleased() throws Exception {
        Association as = open("GONE_X");
        DimseResponse rsp = echo(as);
        assertThat(rsp.status()).isEqualTo(0x0110);
        assertThat(rsp.command().getString(0x00000902)).startsWith("relay failed: ").contains("hospital-x");
        as.release();
        assertThat(as.failure()).isNull();
    }

    @Test void relayedFindAndMoveThatCannotBeSentAreAnsweredWithStatusAndComment() throws Exception {
        Peers.Result find = run("findscu", "-d", "-S", "-aet", "WORKSTATION", "-aec", "GONE_X", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "PatientName=*", "127.0.0.1", String.valueOf(a.port()));
        assertThat(find.output()).contains("Refused: Out of resources").contains("ErrorComment").contains("relay failed: no router hospital-x")
                .contains("Releasing Association").doesNotContain("Abort");
        Peers.Result move = run("movescu", "-d", "-S", "-aet", "WORKSTATION", "-aec", "GONE_X", "-aem", "DEST_A",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=*", "127.0.0.1", String.valueOf(a.port()));
        assertThat(move.output()).containsIgnoringCase("a701").contains("relay failed: no router hospital-x")
                .contains("Releasing Association").doesNotContain("Abort");
    }

    @Test void whileTheBridgeRefusesTheRoutersCredentialsNothingNewIsTakenAndNothingAcknowledged() throws Exception {
        Association before = open("PACS_B");
        assertThat(echo(before).status()).as("echo through the relay while authorised").isZero();
        int spooled = Spool.of(work.resolve("a")).entries().size();

        authority.refused("Bridge: router revoked (HTTP 401)");

        // an association already open: a status the modality understands, never Success
        DimseResponse s = store(before, "1.2.826.0.1.3680043.2.1125.99.1");
        assertThat(s.status()).isEqualTo(0x0124);
        assertThat(s.command().getString(0x00000902)).contains("revoked");
        DimseResponse e = echo(before);
        assertThat(e.status()).isEqualTo(0x0124);
        before.release();
        assertThat(before.failure()).isNull();
        assertThat(Spool.of(work.resolve("a")).entries()).hasSize(spooled);

        // new associations: rejected at the door, permanently, not aborted
        Peers.Result echoscu = run("echoscu", "-aet", "WORKSTATION", "-aec", "PACS_B", "127.0.0.1", String.valueOf(a.port()));
        assertThat(echoscu.exitCode()).isNotZero();
        assertThat(echoscu.output()).containsIgnoringCase("Association Rejected").containsIgnoringCase("Rejected Permanent")
                .doesNotContainIgnoringCase("Abort");

        // the Bridge accepts the credentials again (a request sent after the refusal): work resumes
        authority.accepted(System.nanoTime());
        assertThat(authority.revoked()).isFalse();
        Peers.Result again = run("echoscu", "-aet", "WORKSTATION", "-aec", "PACS_B", "127.0.0.1", String.valueOf(a.port()));
        assertThat(again.exitCode()).as(again.output()).isZero();
    }

    @Test void anAnswerToARequestSentBeforeTheRefusalDoesNotLiftIt() {
        long sentBefore = System.nanoTime();
        authority.refused("Bridge: router revoked (HTTP 401)");
        authority.accepted(sentBefore);
        assertThat(authority.revoked()).isTrue();
        assertThat(authority.reason()).contains("router revoked");
    }
}
