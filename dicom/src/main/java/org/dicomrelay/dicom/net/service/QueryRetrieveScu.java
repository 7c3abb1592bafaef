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
     * @param receive for C-GET: the storage contexts to propose with the SCP role, each a SOP class
     *                with its transfer syntaxes; empty when not retrieving with C-GET
     */
    public static QueryRetrieveScu open(String host, int port, String calledAe, String callingAe, QueryRetrieveModel model,
                                        Collection<Receive> receive, DimseServices.StoreHandler storeHandler,
                                        AssociationOptions options) throws IOException {
        AssociationRequest req = new AssociationRequest(calledAe, callingAe);
        int find = req.propose(model.find, UNCOMPRESSED);
        int move = req.propose(model.move, UNCOMPRESSED);
        int get = receive.isEmpty() ? -1 : req.propose(model.get, UNCOMPRESSED);
        Map<String, Boolean> roles = new LinkedHashMap<>();
        for (Receive n : receive) {
            if (req.isFull()) throw new IOException("too many storage contexts for one association (at most 125 with C-GET)");
            req.propose(n.sopClassUid(), n.transferSyntaxes().toArray(String[]::new));
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

    /**
     * C-MOVE with a message ID chosen beforehand (from {@link Association#nextMessageId()}), so a
     * caller that is itself the destination can expect the sub-operations, which name it as
     * move originator message ID, before the request leaves.
     */
    public PendingRequest move(Attributes keys, String destination, int messageId) throws IOException {
        Attributes rq = request(model.move, 0x0021, destination);
        rq.setInt(0x00000110, VR.US, messageId);
        return as.invoke(require(movePc, "C-MOVE"), rq, identifier(keys, movePc));
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

    /** A storage context to propose for C-GET: one SOP class, the transfer syntaxes it may arrive in. */
    public record Receive(String sopClassUid, List<String> transferSyntaxes) {
        public Receive {
            transferSyntaxes = List.copyOf(transferSyntaxes);
        }

        public static Receive of(String sopClassUid, String... transferSyntaxes) {
            return new Receive(sopClassUid, List.of(transferSyntaxes));
        }
    }

    /**
     * The default C-GET proposal: common storage SOP classes, each in one uncompressed context and
     * one context per common compressed syntax, so that compressed objects arrive as stored.
     */
    public static List<Receive> defaultReceive() {
        List<String> classes = List.of(
                "1.2.840.10008.5.1.4.1.1.1", "1.2.840.10008.5.1.4.1.1.1.1", "1.2.840.10008.5.1.4.1.1.1.2",
                "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.5.1.4.1.1.4",
                "1.2.840.10008.5.1.4.1.1.4.1", "1.2.840.10008.5.1.4.1.1.6.1", "1.2.840.10008.5.1.4.1.1.7",
                "1.2.840.10008.5.1.4.1.1.12.1", "1.2.840.10008.5.1.4.1.1.12.2", "1.2.840.10008.5.1.4.1.1.20",
                "1.2.840.10008.5.1.4.1.1.128", "1.2.840.10008.5.1.4.1.1.481.1", "1.2.840.10008.5.1.4.1.1.481.2",
                "1.2.840.10008.5.1.4.1.1.481.3", "1.2.840.10008.5.1.4.1.1.481.5", "1.2.840.10008.5.1.4.1.1.88.11",
                "1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.104.1");
        List<Receive> out = new java.util.ArrayList<>();
        for (String c : classes) {
            out.add(Receive.of(c, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid(),
                    TransferSyntax.EXPLICIT_VR_BIG_ENDIAN.uid()));
            for (String ts : List.of("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.90",
                    "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.5")) {
                out.add(Receive.of(c, ts));
            }
        }
        return out;
    }

    @Override public void close() {
        as.close();
    }
}
