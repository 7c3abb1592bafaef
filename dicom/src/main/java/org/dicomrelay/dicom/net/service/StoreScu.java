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
import java.io.OutputStream;
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

    /**
     * Sends one object as its bytes arrive from a stream (see {@link StreamSource}): if the stream
     * fails before its end, the association is aborted and the failure thrown; the source's
     * {@link StreamSource#failure()} then tells it from a failure of the peer.
     */
    public DimseResponse store(StreamSource src) throws IOException {
        return store(src, null, -1);
    }

    /** The same as a sub-operation of a C-MOVE (PS3.7 §9.3.1.1: move originator AE title and message ID). */
    public DimseResponse store(StreamSource src, String moveOriginatorAe, int moveOriginatorMessageId) throws IOException {
        return store(as, as::findContext, src, moveOriginatorAe, moveOriginatorMessageId);
    }

    /** Finds an accepted presentation context on which we may send: its ID, or -1. */
    @FunctionalInterface
    interface Contexts {
        /** @param transferSyntax the transfer syntax required, or null for any */
        int find(String abstractSyntax, String transferSyntax);
    }

    /** The context to send on, and whether the object's bytes go as they are (else transcoded to the context's syntax). */
    private record Context(int pcid, boolean asIs) {
        static Context of(Contexts contexts, String sopClassUid, TransferSyntax ts, String what) throws IOException {
            int pcid = contexts.find(sopClassUid, ts.uid());
            if (pcid > 0) return new Context(pcid, true);
            pcid = ts.isUncompressed() ? contexts.find(sopClassUid, null) : -1;
            if (pcid < 0) {
                throw new IOException("the peer accepts neither " + ts.name() + " nor a syntax we can convert to for SOP class "
                        + sopClassUid + " (" + what + ")");
            }
            return new Context(pcid, false);
        }
    }

    /**
     * Sends a C-STORE-RQ for a file on any association where we act as storage SCU (ours, or the
     * one of a C-GET, PS3.4 §C.4.3) and waits for the C-STORE-RSP. The file's bytes go unchanged
     * on a context with its own transfer syntax; an uncompressed object is transcoded on the fly
     * only when no such context exists. Throws when no context can carry it.
     */
    static DimseResponse store(Association as, Contexts contexts, StorageSource src, String moveOriginatorAe,
                               int moveOriginatorMessageId) throws IOException {
        Context c = Context.of(contexts, src.sopClassUid(), src.transferSyntax(), src.file().toString());
        DataWriter data;
        if (c.asIs()) {
            data = out -> {
                try (InputStream in = src.openDataSet()) {
                    copy(in, out, src.transferSyntax());
                }
            };
        } else {
            TransferSyntax target = as.transferSyntax(c.pcid());
            data = out -> {
                try (InputStream in = java.nio.file.Files.newInputStream(src.file())) {
                    Transcoder.transcode(new DicomInputStream(in), new DicomOutputStream(out, target));
                }
            };
        }
        return invoke(as, c.pcid(), src.sopClassUid(), src.sopInstanceUid(), moveOriginatorAe, moveOriginatorMessageId, data);
    }

    /** The same for an object read from a stream while it is sent. */
    static DimseResponse store(Association as, Contexts contexts, StreamSource src, String moveOriginatorAe, int moveOriginatorMessageId)
            throws IOException {
        Context c = Context.of(contexts, src.sopClassUid(), src.transferSyntax(), "instance " + src.sopInstanceUid());
        DataWriter data;
        if (c.asIs()) {
            data = out -> copy(src.dataSet(), out, src.transferSyntax());
        } else {
            TransferSyntax target = as.transferSyntax(c.pcid());
            data = out -> Transcoder.transcode(new DicomInputStream(src.dataSet(), src.transferSyntax()), new DicomOutputStream(out, target));
        }
        return invoke(as, c.pcid(), src.sopClassUid(), src.sopInstanceUid(), moveOriginatorAe, moveOriginatorMessageId, data);
    }

    /** The data set's bytes as they are. */
    private static void copy(InputStream in, OutputStream out, TransferSyntax ts) throws IOException {
        long n = DataWriter.transfer(in, out);
        // PDVs carry even lengths (DCMTK refuses odd ones): pad a deflate stream with a NUL, which inflaters ignore.
        if (ts.deflated() && (n & 1) != 0) out.write(0);
    }

    private static DimseResponse invoke(Association as, int pcid, String sopClassUid, String sopInstanceUid, String moveOriginatorAe,
                                        int moveOriginatorMessageId, DataWriter data) throws IOException {
        Attributes rq = new Attributes();
        rq.setString(0x00000002, VR.UI, sopClassUid);
        rq.setInt(0x00000100, VR.US, 0x0001);
        rq.setInt(0x00000700, VR.US, 0);
        rq.setString(0x00001000, VR.UI, sopInstanceUid);
        if (moveOriginatorAe != null) {
            rq.setString(0x00001030, VR.AE, moveOriginatorAe);
            rq.setInt(0x00001031, VR.US, moveOriginatorMessageId);
        }
        // Association.send aborts the association when data fails midway: the last fragment goes out only after a normal end.
        return as.invoke(pcid, rq, data).next();
    }

    @Override public void close() {
        as.close();
    }
}
