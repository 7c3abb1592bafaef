package org.dicomrelay.router.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.router.LocalDevices;
import org.dicomrelay.router.config.Device;

import java.io.IOException;

/** C-ECHO (PS3.7 §9.1.5) from the router to one of its devices, as the router itself calls it: its AE title, the device's TLS. */
final class DeviceEcho {
    /**
     * The outcome: success, the DIMSE status (null if there was no answer), the round trip, why it
     * failed, and the router it went through (null: a local device, echoed directly).
     */
    record Result(@JsonProperty("aeTitle") String aeTitle, @JsonProperty("success") boolean success, @JsonProperty("status") Integer status,
                  @JsonProperty("milliseconds") long milliseconds, @JsonProperty("error") String error, @JsonProperty("via") String via) {}

    private DeviceEcho() {}

    static Result echo(LocalDevices devices, Device d, String callingAe) {
        long t0 = System.nanoTime();
        try {
            int status = Verification.echo(d.host(), d.port(), d.aeTitle(), callingAe, devices.associationOptions(d));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return new Result(d.aeTitle(), status == 0, status, ms, status == 0 ? null : String.format("status %04XH", status), null);
        } catch (IOException e) {
            return new Result(d.aeTitle(), false, null, (System.nanoTime() - t0) / 1_000_000, FailureText.of(e), null);
        }
    }
}
