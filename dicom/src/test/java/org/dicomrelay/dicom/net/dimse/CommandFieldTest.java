package org.dicomrelay.dicom.net.dimse;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PS3.7 Annex E, Command Field (0000,0100) values. */
@DisplayName("PS3.7 Annex E Command Field values")
class CommandFieldTest {

    @Test
    void valuesAndNames() {
        assertThat(CommandField.C_STORE_RQ).isEqualTo(0x0001);
        assertThat(CommandField.C_STORE_RSP).isEqualTo(0x8001);
        assertThat(CommandField.C_GET_RQ).isEqualTo(0x0010);
        assertThat(CommandField.C_GET_RSP).isEqualTo(0x8010);
        assertThat(CommandField.C_FIND_RQ).isEqualTo(0x0020);
        assertThat(CommandField.C_FIND_RSP).isEqualTo(0x8020);
        assertThat(CommandField.C_MOVE_RQ).isEqualTo(0x0021);
        assertThat(CommandField.C_MOVE_RSP).isEqualTo(0x8021);
        assertThat(CommandField.C_ECHO_RQ).isEqualTo(0x0030);
        assertThat(CommandField.C_ECHO_RSP).isEqualTo(0x8030);
        assertThat(CommandField.C_CANCEL_RQ).isEqualTo(0x0FFF);

        assertThat(CommandField.name(0x0001)).isEqualTo("C-STORE-RQ");
        assertThat(CommandField.name(0x8021)).isEqualTo("C-MOVE-RSP");
        assertThat(CommandField.name(0x0FFF)).isEqualTo("C-CANCEL-RQ");
        assertThat(CommandField.name(0x8110)).isEqualTo("N-GET-RSP");
        assertThat(CommandField.name(0x8FFF)).isEqualTo("unknown command 8FFFH");
        assertThat(CommandField.name(0x1234)).isEqualTo("unknown command 1234H");
        assertThat(CommandField.isKnown(0x0030)).isTrue();
        assertThat(CommandField.isKnown(0x0031)).isFalse();
    }

    @Test
    void requestsAndResponses() {
        assertThat(CommandField.isResponse(CommandField.C_FIND_RSP)).isTrue();
        assertThat(CommandField.isResponse(CommandField.C_FIND_RQ)).isFalse();
        assertThat(CommandField.responseTo(CommandField.C_STORE_RQ)).isEqualTo(CommandField.C_STORE_RSP);
        assertThat(CommandField.responseTo(CommandField.C_CANCEL_RQ)).isEqualTo(-1);
    }

    @Test
    void messagesKnowTheirNames() {
        assertThat(new CEchoRq(1).name()).isEqualTo("C-ECHO-RQ");
        assertThat(new CCancelRq(1).name()).isEqualTo("C-CANCEL-RQ");
    }
}
