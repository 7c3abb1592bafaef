package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.Tag;

/**
 * The JSON refers to bulk data by URI and no {@link BulkDataUriResolver} was given (or it could
 * not fetch it). Callers that can fetch the data catch this, or better, pass a resolver.
 */
public class UnresolvedBulkDataException extends DicomJsonException {
    private final String uri;
    private final int tag;

    public UnresolvedBulkDataException(String uri, int tag) {
        super("element " + Tag.toString(tag) + " has BulkDataURI " + uri + " and no resolver was given to fetch it");
        this.uri = uri;
        this.tag = tag;
    }

    public String uri() { return uri; }

    public int tag() { return tag; }
}
