package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.net.Association;

import java.io.IOException;

/** Sends the responses of one C-FIND/C-MOVE/C-GET: pending ones, then exactly one final one. */
public final class Responder {
    private final Association as;
    private final int pcid;
    private final Attributes request;
    private final int rspField;
    private boolean finished;

    Responder(Association as, int pcid, Attributes request, int rspField) {
        this.as = as;
        this.pcid = pcid;
        this.request = request;
        this.rspField = rspField;
    }

    /** A response command for a request: field, message ID being responded to, affected SOP class, status. */
    public static Attributes response(Attributes request, int field, int status) {
        Attributes c = new Attributes();
        String cuid = request.getString(0x00000002);
        if (cuid != null) c.setString(0x00000002, VR.UI, cuid);
        c.setInt(0x00000100, VR.US, field);
        c.setInt(0x00000120, VR.US, request.getInt(0x00000110, 0));
        c.setInt(0x00000900, VR.US, status);
        return c;
    }

    /** A C-FIND pending response with its match (status FF00). */
    public void match(Attributes identifier) throws IOException {
        match(identifier, 0xFF00);
    }

    /**
     * A C-FIND pending response with its match: FF00, or FF01 when some Optional Keys of the
     * request were not supported (PS3.4 Table C.4-1).
     */
    public synchronized void match(Attributes identifier, int pendingStatus) throws IOException {
        if (finished) throw new IllegalStateException("final response already sent");
        if (pendingStatus != 0xFF00 && pendingStatus != 0xFF01) throw new IllegalArgumentException("not a pending status: " + Integer.toHexString(pendingStatus));
        TransferSyntax ts = as.transferSyntax(pcid);
        as.send(pcid, response(request, rspField, pendingStatus), out -> {
            DicomOutputStream d = new DicomOutputStream(out, ts);
            d.writeDataSet(identifier);
            d.finish();
        });
    }

    /** A C-MOVE/C-GET pending response with the sub-operation counts (status FF00). */
    public synchronized void pending(int remaining, int completed, int failed, int warning) throws IOException {
        if (finished) throw new IllegalStateException("final response already sent");
        as.send(pcid, counts(response(request, rspField, 0xFF00), remaining, completed, failed, warning), null);
    }

    /** The final response; {@code identifier} carries e.g. the Failed SOP Instance UID List (0008,0058), or null. */
    public synchronized void finish(int status, Attributes countsOrNull, Attributes identifier) throws IOException {
        if (finished) throw new IllegalStateException("final response already sent");
        finished = true;
        Attributes rsp = response(request, rspField, status);
        if (countsOrNull != null) countsOrNull.forEach(rsp::set);
        TransferSyntax ts = as.transferSyntax(pcid);
        as.send(pcid, rsp, identifier == null ? null : out -> {
            DicomOutputStream d = new DicomOutputStream(out, ts);
            d.writeDataSet(identifier);
            d.finish();
        });
    }

    synchronized void finishIfOpen(int status) throws IOException {
        if (!finished) finish(status, null, null);
    }

    synchronized void finishIfOpen(int status, Attributes commandElements) throws IOException {
        if (!finished) finish(status, commandElements, null);
    }

    /** The final response of a failure, with an Error Comment (0000,0902) saying why; {@code countsOrNull} as for {@link #finish}. */
    public synchronized void fail(int status, String errorComment, Attributes countsOrNull) throws IOException {
        Attributes c = DicomServiceException.commentAttributes(errorComment);
        if (countsOrNull != null) countsOrNull.forEach(c::set);
        finish(status, c, null);
    }

    public synchronized boolean isFinished() { return finished; }

    public static Attributes counts(Attributes c, int remaining, int completed, int failed, int warning) {
        if (remaining >= 0) c.setInt(0x00001020, VR.US, remaining);
        c.setInt(0x00001021, VR.US, completed);
        c.setInt(0x00001022, VR.US, failed);
        c.setInt(0x00001023, VR.US, warning);
        return c;
    }
}
