package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomInputStream;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.io.Transcoder;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.AssociationRequest;
import org.dicomrelay.dicom.net.DataWriter;
import org.dicomrelay.dicom.net.DimseResponse;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * C-STORE as SCU (PS3.4 Annex B). Each object is offered in its own transfer syntax, one syntax
 * per context, so that a peer that accepts it receives the bytes of the file unchanged; for
 * uncompressed objects a second context offers explicit and implicit little endian, and the
 * object is transcoded on the fly only when the peer refused its own syntax.
 */
public final class StoreScu implements Closeable {
    private static final List<String> FALLBACK = List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid());

    private final Association as;

    private StoreScu(Association as) {
        this.as = as;
    }

    /** A SOP class and transfer syntax that some object to be sent has. */
    public record Need(String sopClassUid, String transferSyntaxUid) {}

    /** How many contexts {@link #open} proposes for these needs; at most 128 fit in one association. */
    public static int contextCount(Collection<Need> needs) {
        Set<String> fallbacks = new LinkedHashSet<>();
        for (Need n : needs) if (TransferSyntax.of(n.transferSyntaxUid()).isUncompressed()) fallbacks.add(n.sopClassUid());
        return new LinkedHashSet<>(needs).size() + fallbacks.size();
    }

    public static StoreScu open(String host, int port, String calledAe, String callingAe, Collection<Need> needs,
                                AssociationOptions options) throws IOException {
        AssociationRequest req = new AssociationRequest(calledAe, callingAe);
        Set<String> fallbacks = new LinkedHashSet<>();
        for (Need n : new LinkedHashSet<>(needs)) {
            req.propose(n.sopClassUid(), n.transferSyntaxUid());
            if (TransferSyntax.of(n.transferSyntaxUid()).isUncompressed()) fallbacks.add(n.sopClassUid());
        }
        for (String cuid : fallbacks) req.propose(cuid, FALLBACK.toArray(String[]::new));
        return new StoreScu(Association.connect(host, port, req.build(options), options, null));
    }

    public Association association() { return as; }

    /** Sends one file; returns the C-STORE-RSP (status and any error comment). */
    public DimseResponse store(StorageSource src) throws IOException {
        return store(src, null, -1);
    }

    /** Sends one file as a sub-operation of a C-MOVE (PS3.7 §9.3.1.1: move originator AE title and message ID). */
    public DimseResponse store(StorageSource src, String moveOriginatorAe, int moveOriginatorMessageId) throws IOException {
        return store(as, as::findContext, src, moveOriginatorAe, moveOriginatorMessageId);
    }

    /** Finds an accepted presentation context on which we may send: its ID, or -1. */
    @FunctionalInterface
    interface Contexts {
        /** @param transferSyntax the transfer syntax required, or null for any */
        int find(String abstractSyntax, String transferSyntax);
    }

    /**
     * Sends a C-STORE-RQ for a file on any association where we act as storage SCU (ours, or the
     * one of a C-GET, PS3.4 §C.4.3) and waits for the C-STORE-RSP. The file's bytes go unchanged
     * on a context with its own transfer syntax; an uncompressed object is transcoded on the fly
     * only when no such context exists. Throws when no context can carry it.
     */
    static DimseResponse store(Association as, Contexts contexts, StorageSource src, String moveOriginatorAe,
                               int moveOriginatorMessageId) throws IOException {
        int pcid = contexts.find(src.sopClassUid(), src.transferSyntax().uid());
        DataWriter data;
        if (pcid > 0) {
            boolean deflated = src.transferSyntax().deflated();
            data = out -> {
                try (InputStream in = src.openDataSet()) {
                    long n = DataWriter.transfer(in, out);
                    // PDVs carry even lengths (DCMTK refuses odd ones): pad a deflate stream with a NUL, which inflaters ignore.
                    if (deflated && (n & 1) != 0) out.write(0);
                }
            };
        } else {
            pcid = src.transferSyntax().isUncompressed() ? contexts.find(src.sopClassUid(), null) : -1;
            if (pcid < 0) {
                throw new IOException("the peer accepts neither " + src.transferSyntax().name() + " nor a syntax we can convert to for SOP class "
                        + src.sopClassUid() + " (" + src.file() + ")");
            }
            TransferSyntax target = as.transferSyntax(pcid);
            data = out -> {
                try (InputStream in = java.nio.file.Files.newInputStream(src.file())) {
                    DicomInputStream din = new DicomInputStream(in);
                    Transcoder.transcode(din, new DicomOutputStream(out, target));
                }
            };
        }
        Attributes rq = new Attributes();
        rq.setString(0x00000002, VR.UI, src.sopClassUid());
        rq.setInt(0x00000100, VR.US, 0x0001);
        rq.setInt(0x00000700, VR.US, 0);
        rq.setString(0x00001000, VR.UI, src.sopInstanceUid());
        if (moveOriginatorAe != null) {
            rq.setString(0x00001030, VR.AE, moveOriginatorAe);
            rq.setInt(0x00001031, VR.US, moveOriginatorMessageId);
        }
        return as.invoke(pcid, rq, data).next();
    }

    @Override public void close() {
        as.close();
    }
}
