package org.dicomrelay.dicom.net;

import java.net.InetAddress;

/** A device as a server tells it apart: the AE title it calls with and the address it calls from. */
public record Caller(String aeTitle, InetAddress address) {
    @Override public String toString() {
        return aeTitle + " at " + address.getHostAddress();
    }
}
