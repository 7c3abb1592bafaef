package org.dicomrelay.dicom.net.pdu;

/**
 * User identity negotiation (PS3.7 §D.3.3.7): in a request, type 1 username, 2 username and
 * passcode, 3 Kerberos, 4 SAML, 5 JWT; in an acceptance, the server response only.
 */
public record UserIdentity(int type, boolean positiveResponseRequested, byte[] primary, byte[] secondary) {

    /** The response sub-item (0x59) of an A-ASSOCIATE-AC: only {@code primary} is used. */
    public static UserIdentity response(byte[] serverResponse) {
        return new UserIdentity(0, false, serverResponse, new byte[0]);
    }

    @Override public String toString() {
        // Never print the passcode or token.
        return "UserIdentity[type=" + type + ", positiveResponseRequested=" + positiveResponseRequested + "]";
    }
}
