package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;

import java.io.IOException;

/** Follows a C-MOVE/C-GET: progress from the pending responses, then the final status and counts. */
final class RetrieveReport {
    private RetrieveReport() {}

    static int follow(java.io.PrintWriter out, java.io.PrintWriter err, PendingRequest p, int rspField, String what) throws IOException {
        DimseResponse r, last = null;
        while ((r = p.next()) != null) {
            last = r;
            if (r.isPending()) err.println(what + " in progress: " + StatusText.of(r.command(), rspField));
        }
        if (last == null) return 1;
        out.println(what + " " + StatusText.of(last.command(), rspField));
        if (last.data() != null) {
            String[] failed = last.data().getStrings(0x00080058);
            if (failed.length > 0) out.println("failed SOP instances: " + String.join(", ", failed));
        }
        return last.status() == 0 ? 0 : 1;
    }
}
