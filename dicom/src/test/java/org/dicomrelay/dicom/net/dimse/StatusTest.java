package org.dicomrelay.dicom.net.dimse;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PS3.7 Annex C status types and meanings, with the service tables of PS3.4 (B.2-1, C.4-1, C.4-2, C.4-3). */
@DisplayName("PS3.7 Annex C status classification and PS3.4 status meanings")
class StatusTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            // success
            "0000, SUCCESS",
            // pending (C-FIND, C-GET, C-MOVE)
            "FF00, PENDING", "FF01, PENDING",
            // cancel
            "FE00, CANCEL",
            // warning: 0001, Bxxx (C-STORE B000/B006/B007, retrieve B000), N-service 0107/0116
            "0001, WARNING", "B000, WARNING", "B006, WARNING", "B007, WARNING", "BFFF, WARNING",
            "0107, WARNING", "0116, WARNING",
            // failure: service specific
            "A700, FAILURE", "A7FF, FAILURE", "A701, FAILURE", "A702, FAILURE", "A801, FAILURE",
            "A900, FAILURE", "A9FF, FAILURE", "C000, FAILURE", "C001, FAILURE", "CFFF, FAILURE",
            // failure: general, PS3.7 C.5
            "0110, FAILURE", "0112, FAILURE", "0117, FAILURE", "0122, FAILURE", "0124, FAILURE",
            "0210, FAILURE", "0211, FAILURE", "0212, FAILURE", "0213, FAILURE",
            // codes the standard does not assign are never mistaken for success
            "0002, FAILURE", "1234, FAILURE", "FF02, FAILURE", "FFFF, FAILURE", "D000, FAILURE",
    })
    void classification(String hex, Status.Type type) {
        Status s = Status.of(Integer.parseInt(hex, 16));
        assertThat(s.type()).isEqualTo(type);
        assertThat(s.isSuccess()).isEqualTo(type == Status.Type.SUCCESS);
        assertThat(s.isPending()).isEqualTo(type == Status.Type.PENDING);
        assertThat(s.isCancel()).isEqualTo(type == Status.Type.CANCEL);
        assertThat(s.isWarning()).isEqualTo(type == Status.Type.WARNING);
        assertThat(s.isFailure()).isEqualTo(type == Status.Type.FAILURE);
        assertThat(s.isFinal()).isEqualTo(type != Status.Type.PENDING);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "0000|Success",
            "FF00|Pending",
            "FF01|Pending – optional keys not supported",
            "FE00|Cancel",
            "A700|Refused: Out of resources",
            "A7A5|Refused: Out of resources",
            "A701|Refused: Out of resources – Unable to calculate number of matches",
            "A702|Refused: Out of resources – Unable to perform sub-operations",
            "A801|Refused: Move Destination unknown",
            "A900|Error: Data Set does not match SOP Class",
            "A9B2|Error: Data Set does not match SOP Class",
            "B006|Elements discarded",
            "B007|Data Set does not match SOP Class",
            "0110|Processing failure",
            "0122|Refused: SOP Class not supported",
            "0124|Refused: Not authorized",
            "0210|Duplicate invocation",
            "0211|Unrecognized operation",
            "0212|Mistyped argument",
            "0213|Resource limitation",
            "0112|No such SOP Instance",
            "0117|Invalid SOP Instance",
            "0107|Attribute list error",
            "0116|Attribute value out of range",
            "B123|Warning",
            "1234|Unrecognized status",
    })
    void meaningWithoutService(String hex, String meaning) {
        assertThat(Status.of(Integer.parseInt(hex, 16)).meaning()).isEqualTo(meaning);
    }

    @Test
    @DisplayName("B000 means coercion for C-STORE, failed sub-operations for C-MOVE and C-GET; without a hint both")
    void b000DependsOnTheService() {
        Status b000 = Status.B000;
        assertThat(b000.meaning(CommandField.C_STORE_RSP)).isEqualTo("Coercion of data elements");
        assertThat(b000.meaning(CommandField.C_STORE_RQ)).isEqualTo("Coercion of data elements");
        assertThat(b000.meaning(CommandField.C_MOVE_RSP)).isEqualTo("Sub-operations complete – One or more failures");
        assertThat(b000.meaning(CommandField.C_GET_RQ)).isEqualTo("Sub-operations complete – One or more failures");
        assertThat(b000.meaning()).contains("Coercion of data elements", "Sub-operations complete – One or more failures");
    }

    @Test
    @DisplayName("Cxxx is 'Cannot understand' for C-STORE, 'Unable to process' for the query/retrieve services")
    void cxxxDependsOnTheService() {
        Status c = Status.of(0xC123);
        assertThat(c.meaning(CommandField.C_STORE_RSP)).isEqualTo("Error: Cannot understand");
        assertThat(c.meaning(CommandField.C_FIND_RSP)).isEqualTo("Failed: Unable to process");
        assertThat(c.meaning(CommandField.C_MOVE_RSP)).isEqualTo("Failed: Unable to process");
        assertThat(Status.CANNOT_UNDERSTAND.meaning()).contains("Error: Cannot understand");
    }

    @Test
    void serviceSpecificSuccessPendingAndCancel() {
        assertThat(Status.PENDING.meaning(CommandField.C_FIND_RSP)).isEqualTo("Pending: Matches are continuing");
        assertThat(Status.PENDING.meaning(CommandField.C_MOVE_RSP)).isEqualTo("Pending: Sub-operations are continuing");
        assertThat(Status.CANCEL.meaning(CommandField.C_FIND_RSP)).isEqualTo("Cancel: Matching terminated due to Cancel request");
        assertThat(Status.CANCEL.meaning(CommandField.C_GET_RSP)).isEqualTo("Cancel: Sub-operations terminated due to Cancel indication");
        assertThat(Status.SUCCESS.meaning(CommandField.C_GET_RSP)).isEqualTo("Success: Sub-operations complete – No failures");
        assertThat(Status.SUCCESS.meaning(CommandField.C_ECHO_RSP)).isEqualTo("Success");
        // general codes do not depend on the service
        assertThat(Status.SOP_CLASS_NOT_SUPPORTED.meaning(CommandField.C_STORE_RSP)).isEqualTo("Refused: SOP Class not supported");
    }

    @Test
    void toStringIsForLogs() {
        assertThat(Status.MOVE_DESTINATION_UNKNOWN).hasToString("A801H Failure: Refused: Move Destination unknown");
        assertThat(Status.SUCCESS).hasToString("0000H Success: Success");
    }

    @Test
    void codesAreUnsigned16Bit() {
        assertThatThrownBy(() -> Status.of(0x10000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Status.of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Status.of(0xA801)).isEqualTo(Status.MOVE_DESTINATION_UNKNOWN);
    }
}
