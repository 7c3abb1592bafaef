package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;

import java.io.IOException;
import java.io.InputStream;

/**
 * Receives DIMSE requests on an association, on the thread that reads the association. The data
 * set, when the command announces one, is a stream over the incoming PDVs: read it (or not)
 * before returning; whatever is left is skipped. Long operations (C-FIND, C-MOVE, C-GET) should
 * read their identifier, hand off to another thread and return, so that a C-CANCEL can arrive.
 */
public interface RequestHandler {
    void onRequest(Association as, int presentationContextId, Attributes command, InputStream data) throws IOException;

    /** A C-CANCEL-RQ for the request with this message ID. */
    default void onCancel(Association as, int messageIdBeingRespondedTo) {}

    /** The association has ended (released, aborted or failed): stop work done for it. */
    default void onClose(Association as) {}
}
