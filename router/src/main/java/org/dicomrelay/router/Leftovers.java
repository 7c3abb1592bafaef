package org.dicomrelay.router;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.UploadJournal;

import java.io.IOException;

/**
 * What a router does at start, before it sends or accepts anything, so that a crash leaves
 * nothing behind for good: temporary object files of the earlier run are deleted, and the
 * courier records its uploads in the journal (deleting the payloads the earlier run left
 * unanswered, then unanswered ones after {@code cloud.blobMaxAgeMinutes}).
 */
final class Leftovers {
    private static final System.Logger LOG = System.getLogger(Leftovers.class.getName());
    static final String UPLOADS = "uploads";

    private Leftovers() {}

    static void clean(RouterConfig config, Courier courier) throws IOException {
        IncomingFiles.sweep(config.state());
        try {
            courier.recordUploadsIn(UploadJournal.open(config.state().resolve(UPLOADS), config.blobMaxAge()));
        } catch (IOException e) {
            // A full disk must not keep the router from draining its spool; only orphaned blobs are at stake.
            LOG.log(System.Logger.Level.WARNING, "no upload journal, unanswered payloads will not be swept: " + FailureText.of(e));
        }
    }
}
