package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.net.pdu.AAssociateRj;

/** The peer answered A-ASSOCIATE-RQ with A-ASSOCIATE-RJ. */
public class AssociationRejectedException extends AssociationException {
    private final AAssociateRj rj;

    public AssociationRejectedException(AAssociateRj rj) {
        super(rj.toString());
        this.rj = rj;
    }

    /** A rejection we send, with why, for the log. */
    public AssociationRejectedException(AAssociateRj rj, String why) {
        super(why + ": " + rj);
        this.rj = rj;
    }

    public AAssociateRj reject() { return rj; }
}
