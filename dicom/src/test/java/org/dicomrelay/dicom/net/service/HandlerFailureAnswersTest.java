package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.AssociationRequest;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service handler that fails answers a status with an Error Comment (0000,0902) saying why,
 * and the association goes on (PS3.7 §9.1.1.1.9 C-ECHO status, §9.1.2.1.6 C-FIND final status,
 * Annex C error comment); it is never aborted for a failure of the service.
 */
@Timeout(60)
class HandlerFailureAnswersTest {
    private static final String FIND = "1.2.840.10008.5.1.4.1.2.2.1";
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private DicomServer server;

    @AfterEach void stop() {
        if (server != null) server.close();
    }

    private int start(DimseServices services) throws IOException {
        ApplicationEntity ae = new ApplicationEntity("SCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY);
        server = DicomServer.start(ae, "127.0.0.1", 0, 4, services);
        return server.port();
    }

    private static Attributes command(String cuid, int field) {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, cuid);
        c.setInt(0x00000100, VR.US, field);
        return c;
    }

    @Test void echoStoreAndFindFailuresAreStatusesWithTheirCommentOnAnAssociationThatGoesOn() throws Exception {
        int port = start(new DimseServices()
                .onEcho((as, c) -> { throw new DicomServiceException(0x0124, "router credentials refused by the Bridge (revoked?)"); })
                .onStore((as, rq, data) -> { throw new DicomServiceException(0x0124, "not now"); })
                .onFind((as, rq, rsp) -> { throw new DicomServiceException(0xA700, "relay failed: the Bridge is unreachable"); }));
        AssociationRequest req = new AssociationRequest("SCP", "SCU");
        int echo = req.propose(Verification.SOP_CLASS, Verification.IMPLICIT_LE);
        int find = req.propose(FIND, Verification.IMPLICIT_LE);
        int store = req.propose(CT, Verification.IMPLICIT_LE);
        Association as = Association.connect("127.0.0.1", port, req.build(AssociationOptions.DEFAULT), AssociationOptions.DEFAULT, null);

        DimseResponse e = as.invoke(echo, command(Verification.SOP_CLASS, 0x0030), null).next();
        assertThat(e.status()).isEqualTo(0x0124);
        assertThat(e.command().getString(0x00000902)).isEqualTo("router credentials refused by the Bridge (revoked?)");

        Attributes storeRq = command(CT, 0x0001);
        storeRq.setString(0x00001000, VR.UI, "1.2.3.4");
        storeRq.setInt(0x00000700, VR.US, 0);
        Attributes ds = new Attributes();
        ds.setString(0x00080018, VR.UI, "1.2.3.4");
        DimseResponse s = as.invoke(store, storeRq, out -> {
            DicomOutputStream d = new DicomOutputStream(out, TransferSyntax.of(Verification.IMPLICIT_LE));
            d.writeDataSet(ds);
            d.finish();
        }).next();
        assertThat(s.status()).isEqualTo(0x0124);
        assertThat(s.command().getString(0x00000902)).isEqualTo("not now");

        Attributes findRq = command(FIND, 0x0020);
        findRq.setInt(0x00000700, VR.US, 0);
        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, "STUDY");
        DimseResponse f = as.invoke(find, findRq, out -> {
            DicomOutputStream d = new DicomOutputStream(out, TransferSyntax.of(Verification.IMPLICIT_LE));
            d.writeDataSet(keys);
            d.finish();
        }).next();
        assertThat(f.status()).isEqualTo(0xA700);
        assertThat(f.command().getString(0x00000902)).isEqualTo("relay failed: the Bridge is unreachable");

        // still established after three failures: released normally, not aborted
        as.release();
        assertThat(as.failure()).isNull();
    }

    @Test void anUnexpectedEchoFailureIsProcessingFailureNamingItsKindNeverNull() throws Exception {
        int port = start(new DimseServices().onEcho((as, c) -> { throw new IOException(); }));
        AssociationRequest req = new AssociationRequest("SCP", "SCU");
        int echo = req.propose(Verification.SOP_CLASS, Verification.IMPLICIT_LE);
        Association as = Association.connect("127.0.0.1", port, req.build(AssociationOptions.DEFAULT), AssociationOptions.DEFAULT, null);
        DimseResponse e = as.invoke(echo, command(Verification.SOP_CLASS, 0x0030), null).next();
        assertThat(e.status()).isEqualTo(0x0110);
        assertThat(e.command().getString(0x00000902)).isEqualTo("IOException");
        as.release();
        assertThat(as.awaitEnd(10, TimeUnit.SECONDS)).isTrue();
        assertThat(as.failure()).isNull();
    }

    @Test void anUnexpectedQueryFailureIsUnableToProcessWithItsCause() throws Exception {
        int port = start(new DimseServices().onFind((as, rq, rsp) -> { throw new IllegalStateException("index closed"); }));
        AssociationRequest req = new AssociationRequest("SCP", "SCU");
        int find = req.propose(FIND, Verification.IMPLICIT_LE);
        Association as = Association.connect("127.0.0.1", port, req.build(AssociationOptions.DEFAULT), AssociationOptions.DEFAULT, null);
        Attributes findRq = command(FIND, 0x0020);
        findRq.setInt(0x00000700, VR.US, 0);
        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, "STUDY");
        DimseResponse f = as.invoke(find, findRq, out -> {
            DicomOutputStream d = new DicomOutputStream(out, TransferSyntax.of(Verification.IMPLICIT_LE));
            d.writeDataSet(keys);
            d.finish();
        }).next();
        assertThat(f.status()).isEqualTo(0xC001);
        assertThat(f.command().getString(0x00000902)).isEqualTo("index closed");
        as.release();
        assertThat(as.failure()).isNull();
    }

    /** DCMTK's echoscu hears the status (and releases) rather than an A-ABORT. */
    @Test void echoscuSeesTheFailureStatusAndReleases() throws Exception {
        int port = start(new DimseServices().onEcho((as, c) -> { throw new DicomServiceException(0x0110, "relay failed: no answer"); }));
        Peers.Result r = Peers.run(List.of("echoscu", "-v", "-aet", "SCU", "-aec", "SCP", "127.0.0.1", String.valueOf(port)), Duration.ofSeconds(30));
        assertThat(r.output()).contains("Received Echo Response").containsIgnoringCase("Releasing Association").doesNotContain("Abort");
    }

    @Test void errorCommentsAreValidLongStrings() {
        assertThat(DicomServiceException.errorComment("a\\b\nc")).isEqualTo("a/b c");
        assertThat(DicomServiceException.errorComment("x".repeat(100))).hasSize(64).endsWith("...");
        assertThat(DicomServiceException.errorComment("  ")).isNull();
    }
}
