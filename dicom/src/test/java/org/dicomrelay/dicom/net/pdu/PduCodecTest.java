package org.dicomrelay.dicom.net.pdu;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PDU encoding and decoding, item by item (PS3.8 §9.3, PS3.7 Annex D.3.3). */
class PduCodecTest {

    static byte[] encode(Pdu pdu) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        new PduWriter(bos).write(pdu);
        return bos.toByteArray();
    }

    static Pdu decode(byte[] b) throws IOException {
        return new PduReader(new ByteArrayInputStream(b), 16384).read();
    }

    static AAssociateRq fullRequest() {
        UserInformation ui = new UserInformation(16384, "1.2.3.4", "TESTIMPL", new int[] {0, 1},
                List.of(new RoleSelection("1.2.840.10008.5.1.4.1.1.2", false, true)),
                List.of(new ExtendedNegotiation("1.2.840.10008.5.1.4.1.2.2.1", new byte[] {1, 0, 1})),
                List.of(new CommonExtendedNegotiation("1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.4.2", List.of("1.2.3", "1.2.4"))),
                new UserIdentity(2, true, "user".getBytes(), "secret".getBytes()));
        return new AAssociateRq(1, "CALLED", "CALLING", AAssociateRq.DICOM_APPLICATION_CONTEXT, List.of(
                PresentationContext.rq(1, "1.2.840.10008.1.1", "1.2.840.10008.1.2"),
                PresentationContext.rq(3, "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2")), ui);
    }

    @Test void associateRqRoundTripsEveryItem() throws IOException {
        AAssociateRq rq = fullRequest();
        AAssociateRq back = (AAssociateRq) decode(encode(rq));
        assertThat(back.calledAeTitle()).isEqualTo("CALLED");
        assertThat(back.callingAeTitle()).isEqualTo("CALLING");
        assertThat(back.presentationContexts()).isEqualTo(rq.presentationContexts());
        UserInformation ui = back.userInformation();
        assertThat(ui.maxLength()).isEqualTo(16384);
        assertThat(ui.implementationClassUid()).isEqualTo("1.2.3.4");
        assertThat(ui.implementationVersionName()).isEqualTo("TESTIMPL");
        assertThat(ui.asyncOperationsWindow()).containsExactly(0, 1);
        assertThat(ui.roleSelections()).containsExactly(new RoleSelection("1.2.840.10008.5.1.4.1.1.2", false, true));
        assertThat(ui.extendedNegotiations()).hasSize(1);
        assertThat(ui.extendedNegotiations().get(0).info()).containsExactly(1, 0, 1);
        assertThat(ui.commonExtendedNegotiations()).isEqualTo(rq.userInformation().commonExtendedNegotiations());
        assertThat(ui.userIdentity().type()).isEqualTo(2);
        assertThat(new String(ui.userIdentity().secondary())).isEqualTo("secret");
    }

    @Test void aeTitlesArePaddedTo16BytesWithSpaces() throws IOException {
        byte[] b = encode(fullRequest());
        assertThat(new String(b, 10, 16)).isEqualTo("CALLED          ");
        assertThat(new String(b, 26, 16)).isEqualTo("CALLING         ");
    }

    @Test void anAbsentAsyncWindowMeansOneOne() throws IOException {
        AAssociateRq rq = new AAssociateRq(1, "A", "B", AAssociateRq.DICOM_APPLICATION_CONTEXT,
                List.of(PresentationContext.rq(1, "1.2.840.10008.1.1", "1.2.840.10008.1.2")), UserInformation.of(0, "1.2", null));
        UserInformation ui = ((AAssociateRq) decode(encode(rq))).userInformation();
        assertThat(ui.asyncOperationsWindow()).as("absent: the default 1/1 applies").isNull();
        assertThat(ui.maxLength()).as("0 = unlimited").isZero();
    }

    @Test void aRejectedContextInAnAcMayLackItsTransferSyntax() throws IOException {
        AAssociateAc ac = new AAssociateAc(1, "A", "B", AAssociateRq.DICOM_APPLICATION_CONTEXT,
                List.of(PresentationContext.ac(1, PresentationContext.ACCEPTANCE, "1.2.840.10008.1.2"),
                        PresentationContext.ac(3, PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED, null)),
                UserInformation.of(16384, "1.2", "X").withUserIdentity(UserIdentity.response("ok".getBytes())));
        AAssociateAc back = (AAssociateAc) decode(encode(ac));
        assertThat(back.presentationContext(1).transferSyntax()).isEqualTo("1.2.840.10008.1.2");
        assertThat(back.presentationContext(3).transferSyntax()).isNull();
        assertThat(back.presentationContext(3).result()).isEqualTo(PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED);
        assertThat(new String(back.userInformation().userIdentity().primary())).isEqualTo("ok");
    }

    @Test void shortPdusRoundTrip() throws IOException {
        assertThat(decode(encode(new AAssociateRj(1, 1, 7)))).isEqualTo(new AAssociateRj(1, 1, 7));
        assertThat(decode(encode(new AReleaseRq()))).isInstanceOf(AReleaseRq.class);
        assertThat(decode(encode(new AReleaseRp()))).isInstanceOf(AReleaseRp.class);
        assertThat(decode(encode(AAbort.byProvider(AAbort.UNEXPECTED_PDU)))).isEqualTo(new AAbort(2, 2));
    }

    @Test void pDataCarriesTheMessageControlHeader() throws IOException {
        PDataTf p = new PDataTf(List.of(new Pdv(1, true, true, new byte[] {1, 2}), new Pdv(1, false, false, new byte[] {3, 4, 5, 6})));
        byte[] b = encode(p);
        assertThat(b[11]).as("command, last fragment").isEqualTo((byte) 3);
        PDataTf back = (PDataTf) decode(b);
        assertThat(back.pdvs()).hasSize(2);
        assertThat(back.pdvs().get(1).command()).isFalse();
        assertThat(back.pdvs().get(1).last()).isFalse();
        assertThat(back.pdvs().get(1).length()).isEqualTo(4);
    }

    @Test void aPDataLongerThanWeAnnouncedIsRefusedBeforeItIsRead() {
        byte[] header = {4, 0, 0, 0, 0x40, 1}; // 16385 bytes announced, maximum 16384
        assertThatThrownBy(() -> decode(header))
                .isInstanceOf(PduFormatException.class).hasMessageContaining("exceeds the negotiated maximum");
    }

    @Test void unknownPduTypeAndWrongLengthsAreNamed() {
        assertThatThrownBy(() -> decode(new byte[] {8, 0, 0, 0, 0, 4, 0, 0, 0, 0}))
                .isInstanceOf(PduFormatException.class).hasMessageContaining("unrecognized PDU type 0x8");
        assertThatThrownBy(() -> decode(new byte[] {5, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0}))
                .isInstanceOf(PduFormatException.class).hasMessageContaining("must have length 4");
    }

    @Test void aPdvLongerThanItsPduIsRefused() {
        byte[] b = {4, 0, 0, 0, 0, 8, 0, 0, 0, 10, 1, 3, 0, 0};
        assertThatThrownBy(() -> decode(b)).isInstanceOf(PduFormatException.class).hasMessageContaining("does not fit");
    }

    @Test void aClosedConnectionBeforeAnyByteIsTheCleanEnd() throws IOException {
        assertThat(decode(new byte[0])).isNull();
    }

    @Test void userIdentityNeverPrintsTheSecret() {
        assertThat(fullRequest().userInformation().userIdentity().toString()).doesNotContain("secret");
    }
}
