package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.DicomElement;

/**
 * Names the bulk data a {@link DicomJsonWriter} leaves out of the JSON (PS3.18 F.2.6), e.g. the
 * WADO-RS URL of the element's bulk data resource.
 */
@FunctionalInterface
public interface BulkDataUriProvider {

    /**
     * @param path    where the element sits: its tag as "GGGGEEEE", preceded for nested elements by
     *                the sequence tags and zero-based item numbers, e.g. "00540016/0/00181072"
     * @param element the element, value untouched (byte order as held)
     * @return the URI, or null to write the value inline after all
     */
    String uriFor(String path, DicomElement element);
}
