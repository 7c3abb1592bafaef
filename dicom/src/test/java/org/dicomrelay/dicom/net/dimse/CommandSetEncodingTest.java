package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.VR;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PS3.7 §6.3.1 and Annex E: a command set is group 0000, implicit VR little endian, in tag order, group length first. */
@DisplayName("PS3.7 §6.3.1 command set encoding")
class CommandSetEncodingTest {

    /**
     * The command set DCMTK's echoscu sends for its first C-ECHO-RQ, worked out by hand from PS3.7
     * Table 9.3-12: each element is tag (group LE, element LE), 32-bit LE length, value.
     */
    private static final byte[] ECHOSCU_C_ECHO_RQ = HexFormat.of().parseHex(""
            // (0000,0000) UL 4: CommandGroupLength = 26 + 10 + 10 + 10 = 56 = 0x38
            + "00000000" + "04000000" + "38000000"
            // (0000,0002) UI 18: "1.2.840.10008.1.1" (17 characters) + NUL pad
            + "00000200" + "12000000" + "312e322e3834302e31303030382e312e31" + "00"
            // (0000,0100) US 2: CommandField = 0030H (C-ECHO-RQ)
            + "00000001" + "02000000" + "3000"
            // (0000,0110) US 2: MessageID = 1
            + "00001001" + "02000000" + "0100"
            // (0000,0800) US 2: CommandDataSetType = 0101H (no data set)
            + "00000008" + "02000000" + "0101");

    @Test
    @DisplayName("C-ECHO-RQ encodes byte for byte as echoscu's")
    void cEchoRqMatchesEchoscuBytes() {
        assertThat(ECHOSCU_C_ECHO_RQ).hasSize(68);
        assertThat(CommandCodec.encode(new CEchoRq(1))).isEqualTo(ECHOSCU_C_ECHO_RQ);
    }

    @Test
    void echoscuBytesDecodeToTheCEchoRq() throws Exception {
        Attributes cmd = CommandCodec.decode(ECHOSCU_C_ECHO_RQ, 0, ECHOSCU_C_ECHO_RQ.length);
        assertThat(cmd.get(CommandTag.CommandGroupLength).vr()).isEqualTo(VR.UL);
        assertThat(cmd.getInt(CommandTag.CommandGroupLength, -1)).isEqualTo(56);
        assertThat(cmd.get(CommandTag.AffectedSOPClassUID).vr()).isEqualTo(VR.UI);
        assertThat(cmd.get(CommandTag.CommandField).vr()).isEqualTo(VR.US);
        assertThat(DimseMessage.fromCommand(cmd)).isEqualTo(new CEchoRq(1, "1.2.840.10008.1.1"));
    }

    @Test
    void decodeHonoursOffsetAndLength() throws Exception {
        byte[] framed = new byte[ECHOSCU_C_ECHO_RQ.length + 10];
        System.arraycopy(ECHOSCU_C_ECHO_RQ, 0, framed, 6, ECHOSCU_C_ECHO_RQ.length);
        framed[5] = 0x7F;
        framed[6 + ECHOSCU_C_ECHO_RQ.length] = 0x7F;
        assertThat(DimseMessage.fromCommand(CommandCodec.decode(framed, 6, ECHOSCU_C_ECHO_RQ.length)))
                .isEqualTo(new CEchoRq(1));
    }

    @Test
    @DisplayName("elements are written in tag order after a computed group length, whatever order they were given in")
    void tagOrderAndGroupLength() throws Exception {
        Attributes cmd = new Attributes();
        // appended out of order, with a wrong group length that must be replaced
        cmd.add(new DicomElement(CommandTag.Status, VR.US, new byte[] {0, 0}));
        cmd.add(new DicomElement(CommandTag.CommandGroupLength, VR.UL, new byte[] {9, 9, 9, 9}));
        cmd.add(new DicomElement(CommandTag.CommandField, VR.US, new byte[] {0x30, (byte) 0x80}));
        cmd.add(new DicomElement(CommandTag.MessageIDBeingRespondedTo, VR.US, new byte[] {5, 0}));
        cmd.add(new DicomElement(CommandTag.CommandDataSetType, VR.US, new byte[] {1, 1}));
        byte[] bytes = CommandCodec.encode(cmd);
        assertThat(bytes).hasSize(12 + 4 * 10);
        int[] tags = new int[5];
        for (int i = 0, pos = 0; i < 5; i++) {
            tags[i] = (bytes[pos] & 0xFF | (bytes[pos + 1] & 0xFF) << 8) << 16 | (bytes[pos + 2] & 0xFF | (bytes[pos + 3] & 0xFF) << 8);
            pos += 8 + (bytes[pos + 4] & 0xFF);
        }
        assertThat(tags).containsExactly(CommandTag.CommandGroupLength, CommandTag.CommandField,
                CommandTag.MessageIDBeingRespondedTo, CommandTag.CommandDataSetType, CommandTag.Status);
        assertThat(CommandCodec.decode(bytes).getInt(CommandTag.CommandGroupLength, -1)).isEqualTo(40);
    }

    @Test
    @DisplayName("odd-length values are padded: UI with NUL, AE and LO with space (PS3.5 §6.2)")
    void padding() throws Exception {
        CMoveRsp rsp = new CMoveRsp(7, "1.2.3", Status.of(0xC001), SubOperations.NONE, "odd", java.util.List.of(), false);
        Attributes decoded = CommandCodec.decode(CommandCodec.encode(rsp));
        assertThat(decoded.getBytes(CommandTag.AffectedSOPClassUID)).containsExactly('1', '.', '2', '.', '3', 0);
        assertThat(decoded.getBytes(CommandTag.ErrorComment)).containsExactly('o', 'd', 'd', ' ');
        assertThat(CommandCodec.decode(CommandCodec.encode(new CMoveRq(1, "1.2", Priority.LOW, "ABC")))
                .getBytes(CommandTag.MoveDestination)).containsExactly('A', 'B', 'C', ' ');
    }

    @Test
    void bigEndianAttributesAreWrittenLittleEndian() {
        Attributes be = new Attributes(true);
        be.setInt(CommandTag.CommandField, VR.US, CommandField.C_ECHO_RQ);
        be.setString(CommandTag.AffectedSOPClassUID, VR.UI, CEchoRq.VERIFICATION_SOP_CLASS);
        be.setInt(CommandTag.MessageID, VR.US, 1);
        be.setInt(CommandTag.CommandDataSetType, VR.US, 0x0101);
        assertThat(CommandCodec.encode(be)).isEqualTo(ECHOSCU_C_ECHO_RQ);
    }

    @Test
    void elementsOutsideGroup0000AreRefused() {
        Attributes cmd = new CEchoRq(1).toCommand();
        cmd.setString(0x00080016, VR.UI, "1.2.3");
        assertThatThrownBy(() -> CommandCodec.encode(cmd))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0008,0016)");
    }

    @Test
    @DisplayName("command sets over 64 KiB are refused both ways")
    void sizeLimit() {
        Attributes cmd = new CEchoRq(1).toCommand();
        cmd.setBytes(0x00005000, VR.UN, new byte[CommandCodec.MAX_COMMAND_LENGTH]);
        assertThatThrownBy(() -> CommandCodec.encode(cmd))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit of 65536");
        byte[] big = new byte[CommandCodec.MAX_COMMAND_LENGTH + 1];
        assertThatThrownBy(() -> CommandCodec.decode(big, 0, big.length))
                .isInstanceOf(DimseFormatException.class).hasMessageContaining("exceeds the limit of 65536");
    }

    @Test
    @DisplayName("a command set of exactly 64 KiB is accepted")
    void sizeLimitInclusive() throws Exception {
        Attributes cmd = new CEchoRq(1).toCommand();
        int fixed = CommandCodec.encode(cmd).length;
        cmd.setBytes(0x00005000, VR.UN, new byte[CommandCodec.MAX_COMMAND_LENGTH - fixed - 8]);
        byte[] bytes = CommandCodec.encode(cmd);
        assertThat(bytes).hasSize(CommandCodec.MAX_COMMAND_LENGTH);
        Attributes back = CommandCodec.decode(bytes);
        assertThat(back.get(0x00005000).vr()).isEqualTo(VR.UN);
        assertThat(DimseMessage.fromCommand(back)).isEqualTo(new CEchoRq(1));
    }
}
