package org.dicomrelay.dicom.net.pdu;

/**
 * A presentation data value (PS3.8 §9.3.5.1, Annex E.2): a fragment of a command or data set,
 * with the message control header bits.
 */
public record Pdv(int presentationContextId, boolean command, boolean last, byte[] data, int offset, int length) {

    public Pdv(int presentationContextId, boolean command, boolean last, byte[] data) {
        this(presentationContextId, command, last, data, 0, data.length);
    }

    public int controlHeader() {
        return (command ? 1 : 0) | (last ? 2 : 0);
    }
}
