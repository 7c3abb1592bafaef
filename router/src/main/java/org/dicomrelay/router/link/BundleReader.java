package org.dicomrelay.router.link;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.dimse.Status;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Router B's side of a bundle (issue 10): hands each entry of the payload to the C-STORE handler, in
 * order, as a STORE_RQ of its own with a stream of exactly its object's bytes, authenticated segment by
 * segment as they are read. Where the payload fails (forged, cut, gone), the handler of the entry being
 * read sees the failure and aborts its C-STORE (nothing partial is stored); every entry after it is
 * answered with a transient failure here, so router A sends those objects again at once.
 */
final class BundleReader {
    private static final System.Logger LOG = System.getLogger(BundleReader.class.getName());

    /** Sends one answer to the router the bundle came from. */
    @FunctionalInterface
    interface Answers {
        void send(String toRouterId, LinkMessage.StoreRsp answer);
    }

    private BundleReader() {}

    /** Runs the bundle's entries; returns why it stopped early, or null when every entry reached the handler. */
    static IOException deliver(String from, LinkMessage.StoreBundle bundle, InputStream payload, Courier.Listener handler, Answers answers) {
        List<String> operations = bundle.operations();
        int next = 0;
        IOException cut;
        if (payload == null) {
            cut = new IOException("the bundle came without its payload");
        } else {
            cut = null;
            DataInputStream in = new DataInputStream(payload);
            try {
                for (; next < operations.size(); next++) {
                    LinkMessage.StoreRq rq = BundleEntries.header(in);
                    if (!rq.operationId().equals(operations.get(next)) || !rq.calledAe().equals(bundle.calledAe())) {
                        throw new IOException("entry " + next + " of bundle " + bundle.operationId() + " is not the C-STORE its frame lists");
                    }
                    BundleEntries.Entry object = BundleEntries.object(in, next == operations.size() - 1);
                    try {
                        handler.onMessage(from, rq, object);
                    } catch (IOException | RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "STORE_RQ of operation " + rq.operationId() + " in a bundle from " + from
                                + " failed: " + FailureText.of(e));
                    }
                    if (object.failure() == null) {
                        try {
                            object.skipRest();
                        } catch (IOException e) {
                            // the handler answered this entry already (it did not read it all): it is not answered twice
                        }
                    }
                    if (object.failure() != null) {
                        next++; // its handler saw the failure and answered it
                        throw object.failure();
                    }
                }
            } catch (IOException e) {
                cut = e;
            }
        }
        for (int i = next; i < operations.size(); i++) {
            answers.send(from, new LinkMessage.StoreRsp(operations.get(i), Status.OUT_OF_RESOURCES.code(),
                    "the bundle's payload could not be read before this object, nothing of it stored: " + FailureText.of(cut), Failure.TRANSIENT));
        }
        if (cut != null) {
            LOG.log(System.Logger.Level.WARNING, "bundle " + bundle.operationId() + " from router " + from + " stopped after "
                    + next + " of " + operations.size() + " entries, the rest answered with a failure: " + FailureText.of(cut));
        }
        return cut;
    }
}
