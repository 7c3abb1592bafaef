package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.net.pdu.AAssociateRq;
import org.dicomrelay.dicom.net.pdu.PresentationContext;
import org.dicomrelay.dicom.net.pdu.RoleSelection;
import org.dicomrelay.dicom.net.pdu.UserIdentity;
import org.dicomrelay.dicom.net.pdu.UserInformation;

import java.util.ArrayList;
import java.util.List;

/** Builds an A-ASSOCIATE-RQ: contexts get odd IDs 1, 3, 5 … (PS3.8 §9.3.2.2), at most 128 of them. */
public final class AssociationRequest {
    private final String calledAeTitle;
    private final String callingAeTitle;
    private final List<PresentationContext> contexts = new ArrayList<>();
    private final List<RoleSelection> roles = new ArrayList<>();
    private UserIdentity identity;

    public AssociationRequest(String calledAeTitle, String callingAeTitle) {
        this.calledAeTitle = calledAeTitle;
        this.callingAeTitle = callingAeTitle;
    }

    /** Proposes a context; returns its ID. */
    public int propose(String abstractSyntax, String... transferSyntaxes) {
        if (contexts.size() == 128) throw new IllegalStateException("at most 128 presentation contexts can be proposed");
        int id = contexts.size() * 2 + 1;
        contexts.add(PresentationContext.rq(id, abstractSyntax, transferSyntaxes));
        return id;
    }

    /** Proposes that we also act as SCP for this SOP class (C-GET receives C-STORE sub-operations, PS3.4 §C.4.3.1). */
    public AssociationRequest role(String sopClassUid, boolean scu, boolean scp) {
        roles.add(new RoleSelection(sopClassUid, scu, scp));
        return this;
    }

    public AssociationRequest identity(UserIdentity identity) {
        this.identity = identity;
        return this;
    }

    public boolean isFull() { return contexts.size() == 128; }

    public AAssociateRq build(AssociationOptions options) {
        UserInformation ui = UserInformation.of(options.maxPduReceive(), options.implementationClassUid(), options.implementationVersionName())
                .withRoleSelections(roles).withUserIdentity(identity);
        return new AAssociateRq(1, calledAeTitle, callingAeTitle, AAssociateRq.DICOM_APPLICATION_CONTEXT, contexts, ui);
    }
}
