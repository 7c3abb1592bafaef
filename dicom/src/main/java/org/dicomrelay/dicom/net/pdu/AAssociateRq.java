package org.dicomrelay.dicom.net.pdu;

import java.util.List;

/** A-ASSOCIATE-RQ (PS3.8 §9.3.2). */
public record AAssociateRq(int protocolVersion, String calledAeTitle, String callingAeTitle, String applicationContext,
                           List<PresentationContext> presentationContexts, UserInformation userInformation) implements Pdu {
    public static final String DICOM_APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";

    public AAssociateRq {
        presentationContexts = List.copyOf(presentationContexts);
    }

    public PresentationContext presentationContext(int id) {
        return presentationContexts.stream().filter(pc -> pc.id() == id).findFirst().orElse(null);
    }
}
