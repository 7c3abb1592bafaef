package org.dicomrelay.cli;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.net.dimse.Status;

/** How the tools report a DIMSE status: code, meaning, sub-operation counts and error comment. */
final class StatusText {
    private StatusText() {}

    static String of(Attributes rsp, int commandField) {
        int code = rsp.getInt(0x00000900, -1);
        StringBuilder sb = new StringBuilder(String.format("status %04XH: %s", code, new Status(code).meaning(commandField)));
        int completed = rsp.getInt(0x00001021, -1);
        if (completed >= 0 || rsp.contains(0x00001022)) {
            sb.append(String.format(" (completed %d, failed %d, warning %d%s)", Math.max(completed, 0),
                    Math.max(rsp.getInt(0x00001022, 0), 0), Math.max(rsp.getInt(0x00001023, 0), 0),
                    rsp.contains(0x00001020) ? ", remaining " + rsp.getInt(0x00001020, 0) : ""));
        }
        String comment = rsp.getString(0x00000902);
        if (comment != null && !comment.isEmpty()) sb.append(" — ").append(comment);
        return sb.toString();
    }
}
