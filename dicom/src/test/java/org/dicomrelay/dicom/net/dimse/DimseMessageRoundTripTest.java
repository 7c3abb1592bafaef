package org.dicomrelay.dicom.net.dimse;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.dicomrelay.dicom.data.Attributes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** PS3.7 §9.3: every DIMSE-C message survives toCommand, encode, decode, fromCommand unchanged. */
class DimseMessageRoundTripTest {

    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
    private static final String STUDY_ROOT_MOVE = "1.2.840.10008.5.1.4.1.2.2.2";
    private static final String STUDY_ROOT_GET = "1.2.840.10008.5.1.4.1.2.2.3";
    private static final String SOP_INSTANCE = "1.2.826.0.1.3680043.2.1125.1.34918616334354776548436";

    private static DimseMessage roundTrip(DimseMessage m) throws Exception {
        byte[] bytes = CommandCodec.encode(m);
        Attributes cmd = CommandCodec.decode(bytes, 0, bytes.length);
        return DimseMessage.fromCommand(cmd);
    }

    static List<DimseMessage> examples() {
        return List.of(
                new CEchoRq(1),
                new CEchoRsp(1, CEchoRq.VERIFICATION_SOP_CLASS, Status.SUCCESS),
                new CEchoRsp(65535, null, Status.SOP_CLASS_NOT_SUPPORTED, "no echo here", List.of(), false),
                new CStoreRq(2, CT, SOP_INSTANCE, Priority.MEDIUM),
                new CStoreRq(3, CT, SOP_INSTANCE, Priority.HIGH, "MOVESCU", 17),
                new CStoreRsp(2, CT, SOP_INSTANCE, Status.SUCCESS),
                new CStoreRsp(3, null, null, Status.of(0xA900), "Data Set does not match", List.of(0x00100010, 0x00080016), false),
                new CStoreRsp(4, CT, SOP_INSTANCE, Status.COERCION_OF_DATA_ELEMENTS, null, List.of(0x00100020), false),
                new CFindRq(4, STUDY_ROOT_FIND, Priority.LOW),
                new CFindRsp(4, STUDY_ROOT_FIND, Status.PENDING, null, List.of(), true),
                new CFindRsp(4, STUDY_ROOT_FIND, Status.PENDING_OPTIONAL_KEYS_NOT_SUPPORTED, null, List.of(), true),
                new CFindRsp(4, STUDY_ROOT_FIND, Status.SUCCESS, null, List.of(), false),
                new CMoveRq(5, STUDY_ROOT_MOVE, Priority.MEDIUM, "STORESCP"),
                new CMoveRsp(5, STUDY_ROOT_MOVE, Status.PENDING, SubOperations.of(10, 2, 0, 1), null, List.of(), false),
                new CMoveRsp(5, STUDY_ROOT_MOVE, Status.B000, SubOperations.of(0, 9, 3, 0), null, List.of(), true),
                new CMoveRsp(5, null, Status.MOVE_DESTINATION_UNKNOWN, SubOperations.NONE, "unknown AE STORESCP", List.of(), false),
                new CGetRq(6, STUDY_ROOT_GET, Priority.HIGH),
                new CGetRsp(6, STUDY_ROOT_GET, Status.PENDING, new SubOperations(3, 0, 0, null), null, List.of(), false),
                new CGetRsp(6, STUDY_ROOT_GET, Status.CANCEL, SubOperations.of(0, 0, 0, 0), null, List.of(), false),
                new CCancelRq(5));
    }

    @Test
    void everyMessageTypeRoundTrips() throws Exception {
        List<DimseMessage> examples = examples();
        assertThat(examples).extracting(DimseMessage::commandField).contains(
                CommandField.C_ECHO_RQ, CommandField.C_ECHO_RSP, CommandField.C_STORE_RQ, CommandField.C_STORE_RSP,
                CommandField.C_FIND_RQ, CommandField.C_FIND_RSP, CommandField.C_MOVE_RQ, CommandField.C_MOVE_RSP,
                CommandField.C_GET_RQ, CommandField.C_GET_RSP, CommandField.C_CANCEL_RQ);
        for (DimseMessage m : examples) {
            assertThat(roundTrip(m)).as(m.name()).isEqualTo(m);
        }
    }

    @Test
    @DisplayName("Command Data Set Type: 0101H means none, any other value means a data set follows")
    void dataSetType() throws Exception {
        for (DimseMessage m : examples()) {
            Attributes cmd = CommandCodec.decode(CommandCodec.encode(m));
            int type = cmd.getInt(CommandTag.CommandDataSetType, -1);
            assertThat(type != DimseMessage.DATA_SET_ABSENT).as(m.name()).isEqualTo(m.hasDataSet());
        }
        Attributes cmd = new CFindRsp(4, STUDY_ROOT_FIND, Status.PENDING, null, List.of(), true).toCommand();
        cmd.setInt(CommandTag.CommandDataSetType, org.dicomrelay.dicom.data.VR.US, 0x0102);
        assertThat(((CFindRsp) DimseMessage.fromCommand(cmd)).hasDataSet()).isTrue();
        cmd.setInt(CommandTag.CommandDataSetType, org.dicomrelay.dicom.data.VR.US, 0xFFFE);
        assertThat(((CFindRsp) DimseMessage.fromCommand(cmd)).hasDataSet()).isTrue();
    }

    @Test
    void typedFromCommandMatchesTheDispatcher() throws Exception {
        CStoreRq rq = new CStoreRq(9, CT, SOP_INSTANCE, Priority.LOW, "ORIGIN", 4);
        assertThat(CStoreRq.fromCommand(rq.toCommand())).isEqualTo(rq).isEqualTo(DimseMessage.fromCommand(rq.toCommand()));
    }

    @Test
    void responsesAnswerTheirRequest() {
        CStoreRq store = new CStoreRq(9, CT, SOP_INSTANCE, Priority.LOW);
        assertThat(store.response(Status.SUCCESS))
                .isEqualTo(new CStoreRsp(9, CT, SOP_INSTANCE, Status.SUCCESS, null, List.of(), false));
        CMoveRq move = new CMoveRq(10, STUDY_ROOT_MOVE, Priority.MEDIUM, "DEST");
        CMoveRsp rsp = move.response(Status.PENDING, SubOperations.of(1, 0, 0, 0));
        assertThat(rsp.messageIdBeingRespondedTo()).isEqualTo(10);
        assertThat(rsp.affectedSopClassUid()).isEqualTo(STUDY_ROOT_MOVE);
        assertThat(new CEchoRq(11).response(Status.SUCCESS).messageIdBeingRespondedTo()).isEqualTo(11);
        assertThat(new CFindRq(12, STUDY_ROOT_FIND, Priority.MEDIUM).response(Status.PENDING, true).hasDataSet()).isTrue();
        assertThat(new CGetRq(13, STUDY_ROOT_GET, Priority.MEDIUM).response(Status.SUCCESS, SubOperations.NONE).subOperations())
                .isEqualTo(SubOperations.NONE);
    }

    @Test
    void emptyOptionalStringsAreAbsent() throws Exception {
        CStoreRsp rsp = new CStoreRsp(1, "", "", Status.SUCCESS, "", List.of(), false);
        assertThat(rsp.affectedSopClassUid()).isNull();
        assertThat(rsp.affectedSopInstanceUid()).isNull();
        assertThat(rsp.errorComment()).isNull();
        assertThat(roundTrip(rsp)).isEqualTo(rsp);
        assertThat(new CStoreRq(1, "1.2", "1.2.3", Priority.LOW, "", null).moveOriginatorAeTitle()).isNull();
    }

    // ---- properties over arbitrary field values -----------------------------------------

    @Property(tries = 300)
    void arbitraryMessagesRoundTrip(@ForAll("messages") DimseMessage m) throws Exception {
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Provide
    Arbitrary<DimseMessage> messages() {
        Arbitrary<Integer> id = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<String> uid = Arbitraries.integers().between(0, 99999).list().ofMinSize(2).ofMaxSize(12)
                .map(l -> String.join(".", l.stream().map(String::valueOf).toList()))
                .filter(s -> s.length() <= 64);
        Arbitrary<String> optUid = uid.injectNull(0.3);
        Arbitrary<Priority> priority = Arbitraries.of(Priority.class);
        Arbitrary<String> ae = Arbitraries.strings().withCharRange('A', 'Z').withChars('_', '0', '9').ofMinLength(1).ofMaxLength(16);
        Arbitrary<Status> status = Arbitraries.integers().between(0, 0xFFFF).map(Status::new);
        Arbitrary<String> comment = Arbitraries.strings().withCharRange('a', 'z').withChars(' ', ':', '-').ofMinLength(1).ofMaxLength(64)
                .map(String::strip).filter(s -> !s.isEmpty()).injectNull(0.5);
        Arbitrary<List<Integer>> offending = Arbitraries.integers().list().ofMaxSize(4);
        Arbitrary<Integer> count = Arbitraries.integers().between(0, 0xFFFF).injectNull(0.3);
        Arbitrary<SubOperations> subOps = Combinators.combine(count, count, count, count).as(SubOperations::new);
        Arbitrary<Boolean> ds = Arbitraries.of(true, false);
        return Arbitraries.oneOf(
                Combinators.combine(id, uid).as(CEchoRq::new),
                Combinators.combine(id, optUid, status, comment, offending, ds).as(CEchoRsp::new),
                Combinators.combine(id, uid, uid, priority, ae.injectNull(0.5), id.injectNull(0.5)).as(CStoreRq::new),
                Combinators.combine(id, optUid, optUid, status, comment, offending, ds).as(CStoreRsp::new),
                Combinators.combine(id, uid, priority).as(CFindRq::new),
                Combinators.combine(id, optUid, status, comment, offending, ds).as(CFindRsp::new),
                Combinators.combine(id, uid, priority, ae).as(CMoveRq::new),
                Combinators.combine(id, optUid, status, subOps, comment, offending, ds).as(CMoveRsp::new),
                Combinators.combine(id, uid, priority).as(CGetRq::new),
                Combinators.combine(id, optUid, status, subOps, comment, offending, ds).as(CGetRsp::new),
                id.map(CCancelRq::new));
    }
}
