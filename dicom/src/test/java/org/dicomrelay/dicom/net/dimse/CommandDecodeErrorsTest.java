package org.dicomrelay.dicom.net.dimse;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * PS3.7 §6.3.1 and §9.3 from the receiving side: whatever arrives as a command fragment, decoding
 * ends in a result or a {@link DimseFormatException} that says what is wrong, never another exception.
 */
class CommandDecodeErrorsTest {

    private static Attributes decode(byte[] b) throws DimseFormatException {
        return CommandCodec.decode(b, 0, b.length);
    }

    /** Implicit VR little endian element bytes. */
    private static byte[] element(int tag, byte[] value) {
        return ByteBuffer.allocate(8 + value.length).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) (tag >>> 16)).putShort((short) tag).putInt(value.length).put(value).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) b.put(p);
        return b.array();
    }

    private static byte[] us(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    @Property(tries = 500)
    void arbitraryBytesNeverEscapeAsAnythingButDimseFormatException(@ForAll @Size(max = 300) byte[] bytes) {
        try {
            DimseMessage.fromCommand(decode(bytes));
        } catch (DimseFormatException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 300)
    void arbitraryCommandElementsNeverEscapeAsAnythingButDimseFormatException(
            @ForAll @Size(max = 8) java.util.List<@net.jqwik.api.constraints.IntRange(max = 0x1031) Integer> elements,
            @ForAll @Size(max = 8) java.util.List<@Size(max = 6) byte[]> values) {
        // well-formed framing, random group 0000 content: the message layer must cope too
        byte[][] parts = new byte[Math.min(elements.size(), values.size())][];
        for (int i = 0; i < parts.length; i++) parts[i] = element(elements.get(i), values.get(i));
        try {
            DimseMessage.fromCommand(decode(concat(parts)));
        } catch (DimseFormatException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Test
    void httpRequestIsNotACommandSet() {
        byte[] http = "GET / HTTP/1.1\r\nHost: pacs\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> decode(http))
                .isInstanceOf(DimseFormatException.class)
                .hasMessageStartingWith("malformed command set: at offset 0: ")
                .hasMessageContaining("(4547,2054) is not a command element (group 0000)");
    }

    @Test
    @DisplayName("a command set encoded in explicit VR (a common peer bug) is refused, not misread")
    void explicitVrCommandIsRefused() {
        byte[] explicit = concat(new byte[] {0, 0, 0, 0, 'U', 'L', 4, 0, 10, 0, 0, 0},
                new byte[] {0, 0, 0, 1, 'U', 'S', 2, 0, 0x30, 0});
        assertThatThrownBy(() -> decode(explicit))
                .isInstanceOf(DimseFormatException.class)
                .hasMessageContaining("malformed command set")
                // read as implicit VR, "UL" and the 16-bit length 4 become a 32-bit length 0004'4C55H
                .hasMessageContaining("(0000,0000) CommandGroupLength: UL value of 281685 bytes, expected 4");
    }

    @Test
    void everyTruncationOfAnEchoFails() {
        byte[] echo = CommandCodec.encode(new CEchoRq(1));
        for (int cut = 1; cut < echo.length; cut++) {
            byte[] part = Arrays.copyOf(echo, cut);
            assertThatThrownBy(() -> DimseMessage.fromCommand(decode(part)))
                    .as("cut at %d", cut).isInstanceOf(DimseFormatException.class);
        }
        byte[] inValue = Arrays.copyOf(echo, 30);
        assertThatThrownBy(() -> decode(inValue)).hasMessageContaining("truncated");
    }

    @Test
    void emptyInput() {
        assertThatThrownBy(() -> decode(new byte[0])).isInstanceOf(DimseFormatException.class).hasMessage("empty command set");
    }

    @Test
    void dataSetElementsDoNotBelongInACommand() {
        byte[] b = concat(element(CommandTag.CommandField, us(0x0030)), element(0x00100010, "DOE^JOHN".getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> decode(b)).isInstanceOf(DimseFormatException.class)
                .hasMessage("malformed command set: at offset 10: (0010,0010) is not a command element (group 0000): not a command set");
    }

    @Test
    void usValueOfWrongSize() {
        byte[] b = element(CommandTag.CommandField, new byte[] {0x30, 0, 0, 0});
        assertThatThrownBy(() -> decode(b)).isInstanceOf(DimseFormatException.class)
                .hasMessageContaining("(0000,0100) CommandField: US value of 4 bytes, expected 2");
    }

    @Test
    void atValueOfWrongSize() {
        byte[] b = element(CommandTag.OffendingElement, new byte[] {0x10, 0, 0x10, 0, 0, 0});
        assertThatThrownBy(() -> decode(b)).hasMessageContaining("(0000,0901) OffendingElement: AT value of 6 bytes");
    }

    @Test
    void undefinedLength() {
        byte[] b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0).putShort((short) 0x0902).putInt(-1).array();
        assertThatThrownBy(() -> decode(b)).isInstanceOf(DimseFormatException.class)
                .hasMessageContaining("(0000,0902) ErrorComment has undefined length");
    }

    @Test
    void duplicateElement() {
        byte[] b = concat(element(CommandTag.MessageID, us(1)), element(CommandTag.MessageID, us(2)));
        assertThatThrownBy(() -> decode(b)).hasMessageContaining("(0000,0110) MessageID occurs twice");
    }

    @Test
    void noCommandField() {
        byte[] b = element(CommandTag.MessageID, us(1));
        assertThatThrownBy(() -> DimseMessage.fromCommand(decode(b)))
                .isInstanceOf(DimseFormatException.class).hasMessage("command set has no (0000,0100) CommandField");
    }

    @Test
    @DisplayName("an unsupported command keeps its field and message ID, so the request can be answered 0211H")
    void unsupportedCommandIsIdentified() throws Exception {
        byte[] nGet = concat(element(CommandTag.RequestedSOPClassUID, "1.2.3\0".getBytes(StandardCharsets.US_ASCII)),
                element(CommandTag.CommandField, us(CommandField.N_GET_RQ)), element(CommandTag.MessageID, us(7)),
                element(CommandTag.CommandDataSetType, us(0x0101)));
        DimseFormatException e = catchThrowableOfType(DimseFormatException.class, () -> DimseMessage.fromCommand(decode(nGet)));
        assertThat(e).hasMessage("unsupported command N-GET-RQ");
        assertThat(e.commandField()).isEqualTo(CommandField.N_GET_RQ);
        assertThat(e.messageId()).isEqualTo(7);
    }

    @Test
    void unknownCommandField() {
        byte[] b = concat(element(CommandTag.CommandField, us(0x8FFF)), element(CommandTag.MessageID, us(4)));
        assertThatThrownBy(() -> DimseMessage.fromCommand(decode(b))).hasMessage("unknown command 8FFFH");
    }

    @Test
    void missingMandatoryField() throws Exception {
        Attributes cmd = new CStoreRq(12, "1.2.3", "1.2.3.4", Priority.MEDIUM).toCommand();
        cmd.remove(CommandTag.AffectedSOPInstanceUID);
        DimseFormatException e = catchThrowableOfType(DimseFormatException.class,
                () -> DimseMessage.fromCommand(decode(CommandCodec.encode(cmd))));
        assertThat(e).hasMessage("C-STORE-RQ: missing (0000,1000) AffectedSOPInstanceUID");
        assertThat(e.commandField()).isEqualTo(CommandField.C_STORE_RQ);
        assertThat(e.messageId()).isEqualTo(12);
    }

    @Test
    void requestsWithoutTheirDataSet() {
        Attributes find = new CFindRq(3, "1.2.3", Priority.MEDIUM).toCommand();
        find.setInt(CommandTag.CommandDataSetType, VR.US, 0x0101);
        assertThatThrownBy(() -> DimseMessage.fromCommand(find))
                .hasMessage("C-FIND-RQ: Command Data Set Type (0000,0800) is 0101H, but this message requires a data set");
        Attributes echo = new CEchoRq(3).toCommand();
        echo.setInt(CommandTag.CommandDataSetType, VR.US, 0x0000);
        assertThatThrownBy(() -> DimseMessage.fromCommand(echo))
                .hasMessage("C-ECHO-RQ: Command Data Set Type (0000,0800) announces a data set, but this message has none");
        Attributes noType = new CEchoRq(3).toCommand();
        noType.remove(CommandTag.CommandDataSetType);
        assertThatThrownBy(() -> DimseMessage.fromCommand(noType))
                .hasMessage("C-ECHO-RQ: missing (0000,0800) CommandDataSetType");
    }

    @Test
    void unknownPriority() {
        Attributes cmd = new CGetRq(3, "1.2.3", Priority.MEDIUM).toCommand();
        cmd.setInt(CommandTag.Priority, VR.US, 5);
        assertThatThrownBy(() -> DimseMessage.fromCommand(cmd))
                .hasMessage("C-GET-RQ: Priority (0000,0700) 0005H is none of LOW, MEDIUM, HIGH");
    }

    @Test
    void mistypedElementInHandBuiltAttributes() {
        Attributes cmd = new CEchoRq(3).toCommand();
        cmd.setInt(CommandTag.MessageID, VR.UL, 3);
        assertThatThrownBy(() -> DimseMessage.fromCommand(cmd))
                .isInstanceOf(DimseFormatException.class)
                .hasMessage("C-ECHO-RQ: (0000,0110) MessageID must be one US value, found UL of 4 bytes");
    }

    @Test
    void typedFromCommandChecksTheCommandField() {
        assertThatThrownBy(() -> CStoreRq.fromCommand(new CEchoRq(1).toCommand()))
                .isInstanceOf(DimseFormatException.class).hasMessage("expected a C-STORE-RQ command, found C-ECHO-RQ");
    }

    @Test
    void moveDestinationTooLong() {
        Attributes cmd = new CMoveRq(3, "1.2.3", Priority.MEDIUM, "DEST").toCommand();
        cmd.setString(CommandTag.MoveDestination, VR.AE, "A_VERY_LONG_AE_TITLE");
        assertThatThrownBy(() -> DimseMessage.fromCommand(cmd)).hasMessageContaining("longer than 16 characters");
    }

    @Test
    void unknownGroup0000ElementsAreKeptAsUn() throws Exception {
        Attributes cmd = new CEchoRq(3).toCommand();
        cmd.setBytes(0x00005010, VR.UN, "MSGSET".getBytes(StandardCharsets.US_ASCII));
        Attributes back = decode(CommandCodec.encode(cmd));
        assertThat(back.get(0x00005010).vr()).isEqualTo(VR.UN);
        assertThat(back.getBytes(0x00005010)).asString(StandardCharsets.US_ASCII).isEqualTo("MSGSET");
        assertThat(DimseMessage.fromCommand(back)).isEqualTo(new CEchoRq(3));
    }
}
