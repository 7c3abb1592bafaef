package org.dicomrelay.dicom.net.pdu;

import java.util.List;

/** A-ASSOCIATE-AC (PS3.8 §9.3.3). */
public record AAssociateAc(int protocolVersion, String calledAeTitle, String callingAeTitle, String applicationContext,
                           List<PresentationContext> presentationContexts, UserInformation userInformation) implements Pdu {

    public AAssociateAc {
        presentationContexts = List.copyOf(presentationContexts);
    }

    public PresentationContext presentationContext(int id) {
        return presentationContexts.stream().filter(pc -> pc.id() == id).findFirst().orElse(null);
    }
}
