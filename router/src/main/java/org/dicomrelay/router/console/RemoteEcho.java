package org.dicomrelay.router.console;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.service.DicomServiceException;
import org.dicomrelay.router.Router;

import java.io.IOException;

/**
 * C-ECHO (PS3.7 §9.1.5) of a remote AE through the relay: from this router, through the router
 * that exports the AE, to the device itself; the path a local device's C-ECHO to that AE takes.
 * The round trip covers both routers and the cloud between them.
 */
final class RemoteEcho {
    private RemoteEcho() {}

    static DeviceEcho.Result echo(Router router, String aeTitle, String viaRouter) {
        long t0 = System.nanoTime();
        try {
            int status = router.echoThroughRelay(aeTitle);
            return new DeviceEcho.Result(aeTitle, true, status, (System.nanoTime() - t0) / 1_000_000, null, viaRouter);
        } catch (DicomServiceException e) {
            return new DeviceEcho.Result(aeTitle, false, e.status(), (System.nanoTime() - t0) / 1_000_000,
                    String.format("status %04XH: ", e.status()) + FailureText.of(e), viaRouter);
        } catch (IOException e) {
            return new DeviceEcho.Result(aeTitle, false, null, (System.nanoTime() - t0) / 1_000_000, FailureText.of(e), viaRouter);
        }
    }
}
