package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.VR;

import java.io.IOException;

/** Fetches the value behind a BulkDataURI (PS3.18 F.2.6) for a {@link DicomJsonReader}. */
@FunctionalInterface
public interface BulkDataUriResolver {

    /**
     * @return the value as DICOM holds it in a little-endian data set: {@code byte[]},
     *         {@link org.dicomrelay.dicom.data.BulkData} (little endian) or
     *         {@link org.dicomrelay.dicom.data.Fragments}
     */
    Object resolve(String uri, int tag, VR vr) throws IOException;

    /** The default: no resolution; the reader fails with {@link UnresolvedBulkDataException}. */
    BulkDataUriResolver REFUSE = (uri, tag, vr) -> {
        throw new UnresolvedBulkDataException(uri, tag);
    };
}
