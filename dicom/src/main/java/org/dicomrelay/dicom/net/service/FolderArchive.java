package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DataSetReader;
import org.dicomrelay.dicom.io.DicomInputStream;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.pdu.RoleSelection;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Query/Retrieve SCP over a folder of DICOM files (PS3.4 Annex C), Patient Root and Study Root:
 * C-FIND at every level of the model, C-MOVE to the destinations it is configured with, C-GET on
 * the requestor's association; and a C-STORE SCP that files what it receives as
 * {@code <folder>/<StudyInstanceUID>/<SOPInstanceUID>.dcm}, byte for byte after meta information.
 *
 * <p>At start the folder is scanned (recursively; names starting with "." are skipped) and each
 * instance's key attributes are kept in an {@link ArchiveIndex}, read up to the pixel data only;
 * an index that already holds a completed scan from an earlier run ({@link ArchiveIndex#holdsScannedFolder()})
 * is used as it is, and {@link #scan()} picks up files put into the folder by other means meanwhile.
 * Instances are sent exactly as stored, in their own transfer syntax where the peer accepts it.
 *
 * <p>Statuses: C-FIND responds FF00 per match (FF01 when some requested Optional Key is not
 * supported), then 0000, or FE00 once a C-CANCEL is seen between matches. A retrieve ends with
 * 0000 when every sub-operation succeeded, B000 when some failed or had warnings, A702 when all
 * failed, FE00 when cancelled (with the remaining count), A801 for an unknown move destination;
 * the Failed SOP Instance UID List (0008,0058) lists the failed instances and, after a cancel,
 * those not sent. A missing Query/Retrieve Level is A900, any other identifier the archive cannot
 * process C000, both with an Error Comment.
 */
public final class FolderArchive implements DimseServices.StoreHandler, Closeable {
    private static final System.Logger LOG = System.getLogger(FolderArchive.class.getName());
    private static final String VERIFICATION = "1.2.840.10008.1.1";
    /** Stop reading a data set here: pixel data and everything after it (PS3.5 §7.1: group 7FE0). */
    private static final int STOP_TAG = 0x7FE00000;
    /** Values longer than this stay in the file while indexing. */
    private static final long BULK_THRESHOLD = 1024;

    private final Path folder;
    private final String aeTitle;
    private final Map<String, InetSocketAddress> destinations;
    private final ArchiveIndex index;
    private final AssociationOptions options;
    private final Object storeLock = new Object();
    private final boolean scannedAtStart;

    /** An archive with an in-memory index; {@code destinations} maps C-MOVE destination AE titles to host and port. */
    public FolderArchive(Path folder, String aeTitle, Map<String, InetSocketAddress> destinations) throws IOException {
        this(folder, aeTitle, destinations, new MemoryIndex(), AssociationOptions.DEFAULT);
    }

    /**
     * @param options for the associations C-MOVE opens to its destinations
     */
    public FolderArchive(Path folder, String aeTitle, Map<String, InetSocketAddress> destinations, ArchiveIndex index,
                         AssociationOptions options) throws IOException {
        this.folder = OwnerOnly.newFolders(folder);
        this.aeTitle = aeTitle;
        this.destinations = Map.copyOf(destinations);
        this.index = index;
        this.options = options;
        this.scannedAtStart = !index.holdsScannedFolder();
        if (scannedAtStart) scan();
    }

    public Path folder() { return folder; }

    public String aeTitle() { return aeTitle; }

    public ArchiveIndex index() { return index; }

    /** Whether the constructor scanned the folder, or found an index that held it already. */
    public boolean scannedAtStart() { return scannedAtStart; }

    /** The request handler to serve with: C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET. */
    public DimseServices services() {
        return new DimseServices().onStore(this).onFind(this::find).onMove(this::move).onGet(this::get);
    }

    /**
     * What the archive accepts: verification and the Q/R SOP classes in the uncompressed little
     * endian syntaxes, and any other abstract syntax (storage) in whatever syntax is proposed first,
     * so that received objects keep their encoding. Requestors may take the SCP role (C-GET).
     */
    public ApplicationEntity applicationEntity() {
        String[] ts = {TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid()};
        ApplicationEntity ae = new ApplicationEntity(aeTitle).accept(VERIFICATION, ts);
        for (QueryRetrieveModel m : QueryRetrieveModel.values()) ae.accept(m.find, ts).accept(m.move, ts).accept(m.get, ts);
        return ae.accept(ApplicationEntity.ANY, ApplicationEntity.ANY).acceptScpRole(true);
    }

    // ---- index ----------------------------------------------------------------------------

    /**
     * Indexes every DICOM file under the folder; returns how many were indexed. Other files are
     * skipped (logged). The index is then told the scan completed.
     */
    public int scan() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(folder)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> !hidden(p))
                    .sorted().toList();
        }
        int n = 0;
        for (Path f : files) {
            try {
                IndexedInstance i = read(f);
                Optional<IndexedInstance> old = index.put(i);
                if (old.isPresent() && !old.get().path().equals(f)) {
                    LOG.log(System.Logger.Level.WARNING, f + " holds SOP instance " + i.sopInstanceUid() + " again (also in " + old.get().path()
                            + "): the later file is indexed");
                }
                n++;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.INFO, "not indexed: " + f + ": " + e.getMessage());
            }
        }
        index.scanCompleted();
        return n;
    }

    private boolean hidden(Path p) {
        for (Path part : folder.relativize(p)) if (part.toString().startsWith(".")) return true;
        return false;
    }

    /**
     * What the index keeps of a file: read up to the pixel data (large values left in the file),
     * SOP class and instance from the data set (the meta information when the data set lacks them).
     * Throws for files that are not composite instances (no study, series or SOP instance UID).
     */
    public static IndexedInstance read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); DicomInputStream din = new DicomInputStream(in, Files.size(file))) {
            Attributes meta = din.fileMetaInformation();
            Attributes head = new DataSetReader(din).bulkData(file, BULK_THRESHOLD).readUntil(STOP_TAG);
            String cuid = head.getString(Tag.SOPClassUID);
            String iuid = head.getString(Tag.SOPInstanceUID);
            if (cuid == null && meta != null) cuid = meta.getString(Tag.MediaStorageSOPClassUID);
            if (iuid == null && meta != null) iuid = meta.getString(Tag.MediaStorageSOPInstanceUID);
            if (cuid == null || iuid == null || head.getString(Tag.StudyInstanceUID) == null || head.getString(Tag.SeriesInstanceUID) == null) {
                throw new IOException("not a composite instance: no SOP Class, SOP Instance, Study Instance or Series Instance UID");
            }
            Attributes keys = QueryKeys.extract(head);
            // the unique keys are what the SCP matches on: keep them even where only the meta information has them
            keys.setString(Tag.SOPInstanceUID, VR.UI, iuid);
            keys.setString(Tag.SOPClassUID, VR.UI, cuid);
            return new IndexedInstance(iuid, cuid, din.transferSyntax().uid(), file, keys);
        }
    }

    // ---- C-STORE --------------------------------------------------------------------------

    @Override public int store(Association as, DimseServices.StoreRequest rq, InputStream data) throws IOException {
        if (!FolderStorage.isUid(rq.sopInstanceUid())) return 0xA900;
        Path tmp = FolderStorage.receive(folder, as, rq, data);
        try {
            IndexedInstance received;
            try {
                received = read(tmp);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "C-STORE of " + rq.sopInstanceUid() + " from " + as.callingAeTitle() + " refused: " + e.getMessage());
                return 0xC000; // cannot understand
            }
            String study = received.studyInstanceUid();
            if (!FolderStorage.isUid(study) || !received.sopInstanceUid().equals(rq.sopInstanceUid())) return 0xA900;
            Path target = OwnerOnly.newFolders(folder.resolve(study)).resolve(rq.sopInstanceUid() + ".dcm");
            synchronized (storeLock) {
                FolderStorage.moveInto(tmp, target);
                Optional<IndexedInstance> old = index.put(new IndexedInstance(received.sopInstanceUid(), received.sopClassUid(),
                        received.transferSyntaxUid(), target, received.attributes()));
                // Stored again under another study: the file the archive filed before goes, so that the folder holds one copy.
                if (old.isPresent() && !old.get().path().equals(target) && isFiledByUs(old.get())) Files.deleteIfExists(old.get().path());
            }
            return 0x0000;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private boolean isFiledByUs(IndexedInstance i) {
        Path p = i.path();
        return p.getFileName().toString().equals(i.sopInstanceUid() + ".dcm") && p.getParent() != null && folder.equals(p.getParent().getParent());
    }

    // ---- C-FIND ---------------------------------------------------------------------------

    void find(Association as, DimseServices.QueryRequest rq, Responder rsp) throws IOException {
        QueryRetrieveModel model = QueryRetrieveModel.of(rq.sopClassUid());
        if (model == null || !model.find.equals(rq.sopClassUid())) {
            fail(rsp, 0x0122, "SOP class " + rq.sopClassUid() + " not supported");
            return;
        }
        ArchiveQuery q;
        try {
            q = ArchiveQuery.find(model, rq.identifier());
        } catch (ArchiveQuery.QueryException e) {
            fail(rsp, e.status, e.getMessage());
            return;
        }
        ArchiveQuery.Aggregates agg = null;
        if (q.needsAggregates()) {
            try (Stream<IndexedInstance> all = index.instances()) {
                agg = ArchiveQuery.Aggregates.of(all);
            }
        }
        int pending = q.hasUnsupportedKeys() ? 0xFF01 : 0xFF00;
        Set<String> sent = new HashSet<>();
        try (Stream<IndexedInstance> all = index.instances()) {
            Iterator<IndexedInstance> it = all.iterator();
            while (it.hasNext()) {
                IndexedInstance rec = it.next();
                if (rq.isCancelled()) {
                    rsp.finish(0xFE00, null, null);
                    return;
                }
                if (!q.matches(rec, agg) || !sent.add(q.entityOf(rec))) continue;
                rsp.match(q.response(rec, agg, aeTitle), pending);
            }
        }
        rsp.finish(0x0000, null, null);
    }

    // ---- C-MOVE and C-GET -----------------------------------------------------------------

    void move(Association as, DimseServices.QueryRequest rq, Responder rsp) throws IOException {
        QueryRetrieveModel model = QueryRetrieveModel.of(rq.sopClassUid());
        if (model == null || !model.move.equals(rq.sopClassUid())) {
            fail(rsp, 0x0122, "SOP class " + rq.sopClassUid() + " not supported");
            return;
        }
        List<IndexedInstance> todo = select(model, rq, rsp);
        if (todo == null) return;
        String dest = rq.moveDestination() == null ? "" : rq.moveDestination().strip();
        InetSocketAddress addr = destinations.get(dest);
        if (addr == null) {
            fail(rsp, 0xA801, "move destination \"" + dest + "\" unknown");
            return;
        }
        SubOperations ops = new SubOperations(todo);
        for (List<IndexedInstance> batch : batches(todo)) {
            if (rq.isCancelled()) break;
            Set<StoreScu.Need> needs = new LinkedHashSet<>();
            for (IndexedInstance i : batch) needs.add(new StoreScu.Need(i.sopClassUid(), i.transferSyntaxUid()));
            StoreScu scu;
            try {
                scu = StoreScu.open(addr.getHostString(), addr.getPort(), dest, aeTitle, needs, options);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "C-MOVE to " + dest + " (" + addr + "): " + e.getMessage());
                for (IndexedInstance i : batch) ops.failed(i);
                ops.pendingIfMore(rsp);
                continue;
            }
            try (scu) {
                for (IndexedInstance i : batch) {
                    if (rq.isCancelled()) break;
                    ops.attempt(i, () -> scu.store(StorageSource.probe(i.path()), as.callingAeTitle(), rq.messageId()));
                    ops.pendingIfMore(rsp);
                }
            }
        }
        ops.finish(rsp, rq.isCancelled());
    }

    void get(Association as, DimseServices.QueryRequest rq, Responder rsp) throws IOException {
        QueryRetrieveModel model = QueryRetrieveModel.of(rq.sopClassUid());
        if (model == null || !model.get.equals(rq.sopClassUid())) {
            fail(rsp, 0x0122, "SOP class " + rq.sopClassUid() + " not supported");
            return;
        }
        List<IndexedInstance> todo = select(model, rq, rsp);
        if (todo == null) return;
        // C-STORE sub-operations go on this association, on contexts for which the requestor took the SCP role (PS3.4 §C.4.3.1).
        StoreScu.Contexts contexts = (cuid, ts) -> scpRoleGranted(as, cuid) ? as.findContext(cuid, ts) : -1;
        SubOperations ops = new SubOperations(todo);
        for (IndexedInstance i : todo) {
            if (rq.isCancelled()) break;
            ops.attempt(i, () -> StoreScu.store(as, contexts, StorageSource.probe(i.path()), null, -1));
            ops.pendingIfMore(rsp);
        }
        ops.finish(rsp, rq.isCancelled());
    }

    private static boolean scpRoleGranted(Association as, String sopClassUid) {
        RoleSelection r = as.acceptance().userInformation().roleSelection(sopClassUid);
        return r != null && r.scp();
    }

    /** The instances a C-MOVE or C-GET identifier names, or null after sending the failure response. */
    private List<IndexedInstance> select(QueryRetrieveModel model, DimseServices.QueryRequest rq, Responder rsp) throws IOException {
        ArchiveQuery q;
        try {
            q = ArchiveQuery.retrieve(model, rq.identifier());
        } catch (ArchiveQuery.QueryException e) {
            fail(rsp, e.status, e.getMessage());
            return null;
        }
        try (Stream<IndexedInstance> all = index.instances()) {
            return all.filter(i -> q.matches(i, null)).toList();
        }
    }

    /** Consecutive runs of instances whose presentation contexts fit in one association. */
    private static List<List<IndexedInstance>> batches(List<IndexedInstance> todo) {
        List<List<IndexedInstance>> out = new ArrayList<>();
        List<IndexedInstance> current = new ArrayList<>();
        Set<StoreScu.Need> needs = new LinkedHashSet<>();
        for (IndexedInstance i : todo) {
            StoreScu.Need n = new StoreScu.Need(i.sopClassUid(), i.transferSyntaxUid());
            if (!needs.contains(n)) {
                Set<StoreScu.Need> more = new LinkedHashSet<>(needs);
                more.add(n);
                if (StoreScu.contextCount(more) > 128 && !current.isEmpty()) {
                    out.add(current);
                    current = new ArrayList<>();
                    needs.clear();
                }
                needs.add(n);
            }
            current.add(i);
        }
        if (!current.isEmpty()) out.add(current);
        return out;
    }

    private static void fail(Responder rsp, int status, String comment) throws IOException {
        LOG.log(System.Logger.Level.INFO, String.format("final status %04X: %s", status, comment));
        Attributes c = new Attributes();
        c.setString(0x00000902, VR.LO, comment.length() > 64 ? comment.substring(0, 64) : comment); // Error Comment
        rsp.finish(status, c, null);
    }

    @FunctionalInterface
    private interface Store {
        DimseResponse run() throws IOException;
    }

    /** The counts of PS3.4 §C.4.2.1.6-9 and the final status of a retrieve. */
    private static final class SubOperations {
        private final List<IndexedInstance> todo;
        private final Set<String> attempted = new HashSet<>();
        private final List<String> failedUids = new ArrayList<>();
        private int completed, failed, warning;

        SubOperations(List<IndexedInstance> todo) {
            this.todo = todo;
        }

        int remaining() { return todo.size() - attempted.size(); }

        void attempt(IndexedInstance i, Store store) {
            int status;
            try {
                DimseResponse r = store.run();
                status = r == null ? -1 : r.status();
                if (status != 0) {
                    LOG.log(System.Logger.Level.INFO, String.format("C-STORE sub-operation for %s: status %04X", i.sopInstanceUid(), status));
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "C-STORE sub-operation for " + i.sopInstanceUid() + " failed: " + e.getMessage());
                status = -1;
            }
            attempted.add(i.sopInstanceUid());
            if (status == 0) {
                completed++;
            } else if ((status & 0xF000) == 0xB000) {
                warning++;
            } else {
                failed++;
                failedUids.add(i.sopInstanceUid());
            }
        }

        void failed(IndexedInstance i) {
            attempted.add(i.sopInstanceUid());
            failed++;
            failedUids.add(i.sopInstanceUid());
        }

        /** A pending response after a sub-operation, unless it was the last (the final response follows at once). */
        void pendingIfMore(Responder rsp) throws IOException {
            if (remaining() > 0) rsp.pending(remaining(), completed, failed, warning);
        }

        void finish(Responder rsp, boolean cancelled) throws IOException {
            Attributes counts = new Attributes();
            if (cancelled && remaining() > 0) {
                // Cancel: the remaining count is what was not initiated (PS3.4 §C.4.2.2.1); none of those moved.
                List<String> notSent = new ArrayList<>(failedUids);
                for (IndexedInstance i : todo) if (!attempted.contains(i.sopInstanceUid())) notSent.add(i.sopInstanceUid());
                rsp.finish(0xFE00, Responder.counts(counts, remaining(), completed, failed, warning), uidList(notSent));
                return;
            }
            Responder.counts(counts, -1, completed, failed, warning);
            int status = failed == 0 && warning == 0 ? 0x0000 : completed == 0 && warning == 0 ? 0xA702 : 0xB000;
            rsp.finish(status, counts, failedUids.isEmpty() ? null : uidList(failedUids));
        }

        private static Attributes uidList(List<String> uids) {
            return new Attributes().setString(QueryKeys.FailedSOPInstanceUIDList, VR.UI, uids.toArray(String[]::new));
        }
    }

    @Override public void close() throws IOException {
        index.close();
    }
}
