package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** C-ECHO (PS3.4 Annex A) with DCMTK on either side, and the association rejections of PS3.8 §9.3.4. */
@Timeout(60)
class EchoInteropTest {
    private DicomServer server;

    @BeforeEach void start() throws Exception {
        ApplicationEntity ae = new ApplicationEntity("OURSCP").accept(Verification.SOP_CLASS, Verification.IMPLICIT_LE)
                .allowCallingAeTitles(Set.of("ECHOSCU", "FRIEND"));
        server = DicomServer.start(ae, "127.0.0.1", 0, 8, new DimseServices());
    }

    @AfterEach void stop() {
        server.close();
    }

    @Test void echoscuToOurScpSucceeds() throws Exception {
        Peers.Result r = Peers.run(List.of("echoscu", "-d", "-aet", "ECHOSCU", "-aec", "OURSCP", "127.0.0.1", String.valueOf(server.port())),
                Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Received Echo Response (Success)").contains("Releasing Association");
    }

    @Test void unknownCalledAeIsRejectedWithReason7() throws Exception {
        Peers.Result r = Peers.run(List.of("echoscu", "-aet", "ECHOSCU", "-aec", "NOBODY", "127.0.0.1", String.valueOf(server.port())),
                Duration.ofSeconds(30));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).containsIgnoringCase("Called AE Title Not Recognized");
    }

    @Test void callingAeNotAllowedIsRejectedWithReason3() throws Exception {
        Peers.Result r = Peers.run(List.of("echoscu", "-aet", "STRANGER", "-aec", "OURSCP", "127.0.0.1", String.valueOf(server.port())),
                Duration.ofSeconds(30));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).containsIgnoringCase("Calling AE Title Not Recognized");
    }

    @Test void ourScuToOurScp() throws Exception {
        assertThat(Verification.echo("127.0.0.1", server.port(), "OURSCP", "FRIEND", AssociationOptions.DEFAULT)).isZero();
    }

    @Test void ourScuRejectedNamesTheReason() {
        assertThatThrownBy(() -> Verification.echo("127.0.0.1", server.port(), "WRONG", "FRIEND", AssociationOptions.DEFAULT))
                .isInstanceOf(AssociationRejectedException.class)
                .hasMessageContaining("called AE title not recognized");
    }

    @Test void ourScuToStorescp() throws Exception {
        int port = Peers.freePort();
        try (Peers.Server scp = Peers.startServer(List.of("storescp", "-aet", "STORESCP", String.valueOf(port)), port, null, Map.of())) {
            assertThat(Verification.echo("127.0.0.1", port, "STORESCP", "OURSCU", AssociationOptions.DEFAULT)).isZero();
        }
    }
}
