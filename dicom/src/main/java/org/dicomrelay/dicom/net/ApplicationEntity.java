package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.AAssociateRj;
import org.dicomrelay.dicom.net.pdu.AAssociateRq;
import org.dicomrelay.dicom.net.pdu.PresentationContext;
import org.dicomrelay.dicom.net.pdu.RoleSelection;
import org.dicomrelay.dicom.net.pdu.UserInformation;

import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an SCP accepts: its AE title, the abstract syntaxes and, per syntax, the transfer syntaxes
 * in order of preference ("*" accepts whatever the requestor proposes first, which is how a
 * relay keeps every object in its own encoding), the calling AE titles allowed (empty: any),
 * and whether requestors may take the SCP role (needed for C-GET).
 */
public final class ApplicationEntity implements Association.Negotiator {
    private static final System.Logger LOG = System.getLogger(ApplicationEntity.class.getName());
    public static final String ANY = "*";

    private final String aeTitle;
    private final Map<String, List<String>> syntaxes = new LinkedHashMap<>();
    private Set<String> allowedCallingAeTitles = Set.of();
    private boolean acceptAnyCalledAeTitle;
    private boolean acceptScpRole = true;
    private AssociationOptions options = AssociationOptions.DEFAULT;

    public ApplicationEntity(String aeTitle) {
        this.aeTitle = aeTitle;
    }

    public String aeTitle() { return aeTitle; }

    public AssociationOptions options() { return options; }

    public ApplicationEntity options(AssociationOptions options) {
        this.options = options;
        return this;
    }

    /** Accepts an abstract syntax with these transfer syntaxes, most preferred first ("*" for any). */
    public ApplicationEntity accept(String abstractSyntax, String... transferSyntaxes) {
        syntaxes.put(abstractSyntax, List.of(transferSyntaxes));
        return this;
    }

    public ApplicationEntity allowCallingAeTitles(Set<String> titles) {
        this.allowedCallingAeTitles = Set.copyOf(titles);
        return this;
    }

    /** A router answers to every AE title it relays for; it checks the called AE itself. */
    public ApplicationEntity acceptAnyCalledAeTitle(boolean any) {
        this.acceptAnyCalledAeTitle = any;
        return this;
    }

    public ApplicationEntity acceptScpRole(boolean accept) {
        this.acceptScpRole = accept;
        return this;
    }

    @Override public AAssociateAc negotiate(AAssociateRq rq, Socket socket) throws AssociationRejectedException {
        if (!AAssociateRq.DICOM_APPLICATION_CONTEXT.equals(rq.applicationContext())) {
            throw reject(rq, socket, AAssociateRj.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED);
        }
        if (!acceptAnyCalledAeTitle && !aeTitle.equals(rq.calledAeTitle())) {
            throw reject(rq, socket, AAssociateRj.CALLED_AE_TITLE_NOT_RECOGNIZED);
        }
        if (!allowedCallingAeTitles.isEmpty() && !allowedCallingAeTitles.contains(rq.callingAeTitle())) {
            throw reject(rq, socket, AAssociateRj.CALLING_AE_TITLE_NOT_RECOGNIZED);
        }
        List<PresentationContext> result = new ArrayList<>();
        for (PresentationContext pc : rq.presentationContexts()) result.add(negotiate(pc));
        List<RoleSelection> roles = new ArrayList<>();
        for (RoleSelection r : rq.userInformation().roleSelections()) {
            // We accept the SCU role as proposed and the SCP role when allowed (PS3.7 §D.3.3.4).
            roles.add(new RoleSelection(r.sopClassUid(), r.scu(), r.scp() && acceptScpRole));
        }
        UserInformation ui = UserInformation.of(options.maxPduReceive(), options.implementationClassUid(), options.implementationVersionName())
                .withRoleSelections(roles);
        return new AAssociateAc(1, rq.calledAeTitle(), rq.callingAeTitle(), rq.applicationContext(), result, ui);
    }

    private PresentationContext negotiate(PresentationContext pc) {
        List<String> ours = syntaxes.get(pc.abstractSyntax());
        if (ours == null) ours = syntaxes.get(ANY);
        if (ours == null) return PresentationContext.ac(pc.id(), PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED, null);
        if (ours.contains(ANY) && !pc.transferSyntaxes().isEmpty()) {
            return PresentationContext.ac(pc.id(), PresentationContext.ACCEPTANCE, pc.transferSyntaxes().get(0));
        }
        for (String ts : ours) {
            if (pc.transferSyntaxes().contains(ts)) return PresentationContext.ac(pc.id(), PresentationContext.ACCEPTANCE, ts);
        }
        return PresentationContext.ac(pc.id(), PresentationContext.TRANSFER_SYNTAXES_NOT_SUPPORTED, null);
    }

    /** A negotiator logs its own refusals (the server does not): it knows why. */
    private static AssociationRejectedException reject(AAssociateRq rq, Socket socket, int reason) {
        AAssociateRj rj = new AAssociateRj(AAssociateRj.RESULT_PERMANENT, AAssociateRj.SOURCE_SERVICE_USER, reason);
        LOG.log(System.Logger.Level.INFO, "refused association " + rq.callingAeTitle() + "->" + rq.calledAeTitle() + " from "
                + socket.getRemoteSocketAddress() + ": " + rj);
        return new AssociationRejectedException(rj);
    }
}
