package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PS3.7 §9.3.3.2 and §9.3.4.2, PS3.4 C.4.2.1.6-9: sub-operation counts are conditional; absent is not zero. */
@DisplayName("PS3.7 §9.3.4.2 sub-operation counts: absent is not zero")
class SubOperationCountsTest {

    private static final String MOVE = "1.2.840.10008.5.1.4.1.2.2.2";

    @Test
    void absentCountsAreNotWrittenAndComeBackAbsent() throws Exception {
        CMoveRsp refused = new CMoveRsp(1, MOVE, Status.MOVE_DESTINATION_UNKNOWN, SubOperations.NONE, null, List.of(), false);
        Attributes cmd = CommandCodec.decode(CommandCodec.encode(refused));
        assertThat(cmd.contains(CommandTag.NumberOfRemainingSuboperations)).isFalse();
        assertThat(cmd.contains(CommandTag.NumberOfCompletedSuboperations)).isFalse();
        assertThat(cmd.contains(CommandTag.NumberOfFailedSuboperations)).isFalse();
        assertThat(cmd.contains(CommandTag.NumberOfWarningSuboperations)).isFalse();
        SubOperations back = CMoveRsp.fromCommand(cmd).subOperations();
        assertThat(back.isEmpty()).isTrue();
        assertThat(back.remaining()).isNull();
        assertThat(back.completed()).isNull();
    }

    @Test
    void zeroCountsAreWrittenAndComeBackZero() throws Exception {
        CGetRsp done = new CGetRsp(1, MOVE, Status.SUCCESS, SubOperations.of(0, 0, 0, 0), null, List.of(), false);
        Attributes cmd = CommandCodec.decode(CommandCodec.encode(done));
        assertThat(cmd.getInt(CommandTag.NumberOfRemainingSuboperations, -1)).isZero();
        assertThat(cmd.getInt(CommandTag.NumberOfWarningSuboperations, -1)).isZero();
        SubOperations back = CGetRsp.fromCommand(cmd).subOperations();
        assertThat(back).isEqualTo(SubOperations.of(0, 0, 0, 0)).isNotEqualTo(SubOperations.NONE);
        assertThat(back.isEmpty()).isFalse();
    }

    @Test
    @DisplayName("a final response may carry completed/failed/warning without remaining (PS3.4 C.4.2.1.6)")
    void mixedPresence() throws Exception {
        SubOperations finalCounts = new SubOperations(null, 5, 1, 0);
        CMoveRsp rsp = new CMoveRsp(9, MOVE, Status.B000, finalCounts, null, List.of(), true);
        CMoveRsp back = (CMoveRsp) DimseMessage.fromCommand(CommandCodec.decode(CommandCodec.encode(rsp)));
        assertThat(back.subOperations().remaining()).isNull();
        assertThat(back.subOperations().completed()).isEqualTo(5);
        assertThat(back.subOperations().failed()).isEqualTo(1);
        assertThat(back.subOperations().warning()).isEqualTo(0);
    }

    @Test
    void anEmptyCountElementReadsAsAbsent() throws Exception {
        Attributes cmd = new CMoveRsp(1, MOVE, Status.PENDING, SubOperations.of(3, 0, 0, 0), null, List.of(), false).toCommand();
        cmd.setBytes(CommandTag.NumberOfRemainingSuboperations, VR.US, new byte[0]);
        assertThat(CMoveRsp.fromCommand(CommandCodec.decode(CommandCodec.encode(cmd))).subOperations().remaining()).isNull();
    }

    @Test
    void nullMeansNone() {
        assertThat(new CMoveRsp(1, null, Status.SUCCESS, null, null, null, false).subOperations()).isEqualTo(SubOperations.NONE);
    }

    @Test
    void countsAreUnsigned16Bit() {
        assertThatThrownBy(() -> SubOperations.of(65536, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("remaining");
        assertThatThrownBy(() -> new SubOperations(null, -1, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SubOperations.of(65535, 65535, 65535, 65535).failed()).isEqualTo(65535);
    }
}
