package org.dicomrelay.router.console;

import org.dicomrelay.console.ConsoleException;
import org.dicomrelay.router.config.AeTitles;
import org.dicomrelay.router.config.Device;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The device form's checks: PS3.5 §6.2 (AE), PS3.5 §9.1 (UIDs), TCP ports; each error names its field. */
class DeviceFormTest {
    private static DeviceForm form(String ae, String host, Integer port, List<String> services, List<String> ts) {
        return new DeviceForm(ae, host, port, services, ts, true, null);
    }

    private static void refused(DeviceForm f, String field, String message) {
        assertThatThrownBy(f::toDevice).isInstanceOfSatisfying(ConsoleException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test void aValidFormBecomesTheDevice() {
        Device d = form("CT_1", " 10.0.0.7 ", 104, List.of("Store", "echo", "store"), List.of("1.2.840.10008.1.2.1", " ")).toDevice();
        assertThat(d).isEqualTo(new Device("CT_1", "10.0.0.7", 104, List.of("store", "echo"), List.of("1.2.840.10008.1.2.1"), true));
    }

    @Test void aeTitlesFollowPs35() {
        assertThat(AeTitles.problem("SIXTEEN_CHARS_AE")).isEmpty();
        assertThat(AeTitles.problem(" PADDED ")).isEmpty(); // leading and trailing spaces are not significant
        refused(form("SEVENTEEN_CHARS_X", "h", 104, null, null), "aeTitle", "1 to 16 characters");
        refused(form("A\\B", "h", 104, null, null), "aeTitle", "backslash");
        refused(form("TAB\tAE", "h", 104, null, null), "aeTitle", "control");
        refused(form("    ", "h", 104, null, null), "aeTitle", "only spaces");
        refused(form("", "h", 104, null, null), "aeTitle", "required");
        refused(form("ÄRZTE", "h", 104, null, null), "aeTitle", "non-ASCII");
    }

    @Test void hostPortServicesAndTransferSyntaxesAreChecked() {
        refused(form("AE", "", 104, null, null), "host", "host name or IP address");
        refused(form("AE", "bad host", 104, null, null), "host", "host name or IP address");
        refused(form("AE", "h", null, null, null), "port", "1 to 65535");
        refused(form("AE", "h", 0, null, null), "port", "1 to 65535");
        refused(form("AE", "h", 65536, null, null), "port", "1 to 65535");
        refused(form("AE", "h", 104, List.of("print"), null), "services", "unknown service 'print'");
        refused(form("AE", "h", 104, null, List.of("1.2.840.10008.1.2.01")), "transferSyntaxes", "not a transfer syntax UID");
        refused(form("AE", "h", 104, null, List.of("explicit")), "transferSyntaxes", "not a transfer syntax UID");
        assertThat(form("AE", "*", 104, null, null).toDevice().host()).isEqualTo("*");
    }
}
