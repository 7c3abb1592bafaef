package org.dicomrelay.dicom.net.pdu;

import java.util.List;

/** SOP class common extended negotiation sub-item (PS3.7 §D.3.3.6). */
public record CommonExtendedNegotiation(String sopClassUid, String serviceClassUid, List<String> relatedGeneralSopClasses) {
    public CommonExtendedNegotiation {
        relatedGeneralSopClasses = List.copyOf(relatedGeneralSopClasses);
    }
}
