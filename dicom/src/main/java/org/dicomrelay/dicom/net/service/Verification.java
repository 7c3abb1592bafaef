package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.AssociationRequest;
import org.dicomrelay.dicom.net.DimseResponse;

import java.io.IOException;

/** The Verification SOP class (PS3.4 Annex A): C-ECHO as SCU. */
public final class Verification {
    public static final String SOP_CLASS = "1.2.840.10008.1.1";
    public static final String IMPLICIT_LE = "1.2.840.10008.1.2";

    private Verification() {}

    /** Opens an association, sends C-ECHO-RQ, releases; returns the status. */
    public static int echo(String host, int port, String calledAe, String callingAe, AssociationOptions options) throws IOException {
        AssociationRequest req = new AssociationRequest(calledAe, callingAe);
        int pcid = req.propose(SOP_CLASS, IMPLICIT_LE);
        Association as = Association.connect(host, port, req.build(options), options, null);
        try {
            if (as.findContext(SOP_CLASS, null) != pcid) {
                throw new IOException(calledAe + " does not accept the Verification SOP class");
            }
            DimseResponse rsp = as.invoke(pcid, echoRq(), null).next();
            return rsp.status();
        } finally {
            as.close();
        }
    }

    static Attributes echoRq() {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, SOP_CLASS);
        c.setInt(0x00000100, VR.US, 0x0030);
        return c;
    }
}
