package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.AssociationRequest;
import org.dicomrelay.dicom.net.PendingRequest;

import java.io.Closeable;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * C-FIND, C-MOVE and C-GET as SCU (PS3.4 Annex C). Responses arrive on a {@link PendingRequest}
 * one by one as the peer sends them. For C-GET, the storage SOP classes and transfer syntaxes to
 * receive are proposed with the SCP role (PS3.7 §D.3.3.4), one transfer syntax per context so
 * that each object can arrive in its own encoding; received instances go to {@code storeHandler}.
 */
public final class QueryRetrieveScu implements Closeable {
    private static final String[] UNCOMPRESSED = {TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid()};

    private final Association as;
    private final QueryRetrieveModel model;
    private final int findPc, movePc, getPc;

    private QueryRetrieveScu(Association as, QueryRetrieveModel model, int findPc, int movePc, int getPc) {
        this.as = as;
        this.model = model;
        this.findPc = findPc;
        this.movePc = movePc;
        this.getPc = getPc;
    }

    /**
     * @param receive for C-GET: the (SOP class, transfer syntax) pairs to accept as storage SCP;
     *                empty when not retrieving with C-GET
     */
    public static QueryRetrieveScu open(String host, int port, String calledAe, String callingAe, QueryRetrieveModel model,
                                        Collection<StoreScu.Need> receive, DimseServices.StoreHandler storeHandler,
                                        AssociationOptions options) throws IOException {
        AssociationRequest req = new AssociationRequest(calledAe, callingAe);
        int find = req.propose(model.find, UNCOMPRESSED);
        int move = req.propose(model.move, UNCOMPRESSED);
        int get = receive.isEmpty() ? -1 : req.propose(model.get, UNCOMPRESSED);
        Map<String, Boolean> roles = new LinkedHashMap<>();
        for (StoreScu.Need n : receive) {
            if (req.isFull()) throw new IOException("too many storage contexts for one association (at most 125 with C-GET)");
            req.propose(n.sopClassUid(), n.transferSyntaxUid());
            roles.put(n.sopClassUid(), true);
        }
        roles.keySet().forEach(cuid -> req.role(cuid, false, true));
        DimseServices services = new DimseServices();
        if (storeHandler != null) services.onStore(storeHandler);
        Association as = Association.connect(host, port, req.build(options), options, services);
        return new QueryRetrieveScu(as, model, accepted(as, find), accepted(as, move), get < 0 ? -1 : accepted(as, get));
    }

    private static int accepted(Association as, int pcid) {
        var pc = as.acceptance().presentationContext(pcid);
        return pc != null && pc.accepted() ? pcid : -1;
    }

    public Association association() { return as; }

    public PendingRequest find(Attributes keys) throws IOException {
        return as.invoke(require(findPc, "C-FIND"), request(model.find, 0x0020, null), identifier(keys, findPc));
    }

    public PendingRequest move(Attributes keys, String destination) throws IOException {
        return as.invoke(require(movePc, "C-MOVE"), request(model.move, 0x0021, destination), identifier(keys, movePc));
    }

    public PendingRequest get(Attributes keys) throws IOException {
        return as.invoke(require(getPc, "C-GET"), request(model.get, 0x0010, null), identifier(keys, getPc));
    }

    /** Presentation context of the request, for {@link PendingRequest#cancel(int)}. */
    public int contextOf(String op) {
        return switch (op) {
            case "find" -> findPc;
            case "move" -> movePc;
            default -> getPc;
        };
    }

    private int require(int pcid, String what) throws IOException {
        if (pcid < 0) throw new IOException(as.calledAeTitle() + " did not accept " + what + " for the " + model + " model");
        return pcid;
    }

    private static Attributes request(String cuid, int field, String destination) {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, cuid);
        c.setInt(0x00000100, VR.US, field);
        c.setInt(0x00000700, VR.US, 0);
        if (destination != null) c.setString(0x00000600, VR.AE, destination);
        return c;
    }

    private org.dicomrelay.dicom.net.DataWriter identifier(Attributes keys, int pcid) {
        TransferSyntax ts = as.transferSyntax(pcid);
        return out -> {
            DicomOutputStream d = new DicomOutputStream(out, ts);
            d.writeDataSet(keys);
            d.finish();
        };
    }

    /** Common storage SOP classes, each in the uncompressed syntaxes plus the given ones: a default for C-GET. */
    public static List<StoreScu.Need> commonStorage(List<String> sopClasses, List<String> transferSyntaxes) {
        List<StoreScu.Need> needs = new java.util.ArrayList<>();
        for (String c : sopClasses) for (String t : transferSyntaxes) needs.add(new StoreScu.Need(c, t));
        return needs;
    }

    @Override public void close() {
        as.close();
    }
}
