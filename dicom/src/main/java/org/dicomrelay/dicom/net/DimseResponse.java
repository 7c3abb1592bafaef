package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;

/** One response to a request: its command set and, when one came, its data set (e.g. a C-FIND match). */
public record DimseResponse(Attributes command, Attributes data) {
    public int status() {
        return command.getInt(0x00000900, -1);
    }

    /** Pending (FF00, FF01): more responses follow (PS3.7 §9.1.2.1.6). */
    public boolean isPending() {
        int s = status();
        return s == 0xFF00 || s == 0xFF01;
    }
}
