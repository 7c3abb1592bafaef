package org.dicomrelay.archive;

import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.service.ArchiveIndex;
import org.dicomrelay.dicom.net.service.IndexedInstance;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * An {@link ArchiveIndex} in an embedded H2 database file, by default
 * {@code <folder>/.index/archive.mv.db} (the archive's scan skips names starting with "."), so
 * that the index outlives the process: once a scan of the folder has completed, later starts use
 * the index as it is, without reading the folder again.
 *
 * <p>Behaves as {@link org.dicomrelay.dicom.net.service.MemoryIndex}: instances are listed in the
 * order they were first added, and replacing one keeps its place. {@link #instances()} streams
 * rows from the database on a connection of its own (H2 lazy query execution), so listing a large
 * archive holds a bounded number of rows in memory; close the stream to release the connection.
 *
 * <p>Paths under the folder are stored relative to it, so the folder may be moved or mounted
 * elsewhere with its index. The schema is created and upgraded here with plain JDBC, versions
 * recorded in {@code schema_version} ({@link Schema}). One process at a time: H2 locks the file.
 */
public final class H2Index implements ArchiveIndex {
    /** Rows fetched at a time by {@link #instances()}. */
    private static final int FETCH_SIZE = 64;
    private static final String SCANNED = "folder.scanned";
    private static final String COLUMNS = "sop_instance_uid, sop_class_uid, transfer_syntax_uid, path, keys";

    private final Path folder;
    private final Path database;
    private final JdbcDataSource dataSource;
    /** For writes, get and size, one at a time (synchronized on this index). */
    private final Connection main;
    private final Set<Connection> readers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** Rows turned into instances so far: lets tests see that listing streams. */
    final AtomicLong rowsDecoded = new AtomicLong();

    private H2Index(Path folder, Path database, JdbcDataSource dataSource, Connection main) {
        this.folder = folder;
        this.database = database;
        this.dataSource = dataSource;
        this.main = main;
    }

    /** The index of an archive folder, in {@code <folder>/.index/archive}; created when missing. */
    public static H2Index open(Path folder) throws IOException {
        return open(folder, folder.resolve(".index").resolve("archive"));
    }

    /**
     * @param folder   the archive folder: paths under it are stored relative to it
     * @param database the database file without H2's ".mv.db" suffix
     */
    public static H2Index open(Path folder, Path database) throws IOException {
        Path db = database.toAbsolutePath().normalize();
        if (db.toString().contains(";")) throw new IOException("the index path must not contain ';': " + db);
        OwnerOnly.newFolders(db.getParent()); // the index holds patient names and IDs
        JdbcDataSource ds = new JdbcDataSource();
        // We close the database ourselves (shutdown hook of the command), after the server: not H2's own hook.
        ds.setURL("jdbc:h2:file:" + db + ";DB_CLOSE_ON_EXIT=FALSE;LAZY_QUERY_EXECUTION=TRUE");
        ds.setUser("archive");
        ds.setPassword("");
        Connection main;
        try {
            main = ds.getConnection();
        } catch (SQLException e) {
            if (e.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1) {
                throw new IOException("the index " + db + ".mv.db is in use by another process", e);
            }
            throw new IOException("cannot open the index " + db + ".mv.db: " + e.getMessage(), e);
        }
        try {
            Schema.migrate(main);
        } catch (SQLException | IOException e) {
            closeQuietly(main);
            throw e instanceof IOException io ? io : new IOException("cannot set up the index " + db + ".mv.db: " + e.getMessage(), e);
        }
        return new H2Index(folder, db, ds, main);
    }

    /** The database file without H2's ".mv.db" suffix. */
    public Path database() { return database; }

    public Path folder() { return folder; }

    /** Listings whose connection is still open. */
    int openListings() { return readers.size(); }

    @Override public synchronized Optional<IndexedInstance> put(IndexedInstance instance) throws IOException {
        ensureOpen();
        byte[] keys = KeyCodec.encode(instance.attributes());
        try {
            main.setAutoCommit(false);
            try {
                Optional<IndexedInstance> old = select(instance.sopInstanceUid());
                String sql = old.isPresent()
                        ? "UPDATE instances SET sop_class_uid = ?, transfer_syntax_uid = ?, patient_id = ?, study_instance_uid = ?,"
                          + " series_instance_uid = ?, path = ?, keys = ? WHERE sop_instance_uid = ?"
                        : "INSERT INTO instances (sop_class_uid, transfer_syntax_uid, patient_id, study_instance_uid,"
                          + " series_instance_uid, path, keys, sop_instance_uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
                try (PreparedStatement ps = main.prepareStatement(sql)) {
                    ps.setString(1, instance.sopClassUid());
                    ps.setString(2, instance.transferSyntaxUid());
                    ps.setString(3, instance.patientId());
                    ps.setString(4, instance.studyInstanceUid());
                    ps.setString(5, instance.seriesInstanceUid());
                    ps.setString(6, storedPath(instance.path()));
                    ps.setBytes(7, keys);
                    ps.setString(8, instance.sopInstanceUid());
                    ps.executeUpdate();
                }
                main.commit();
                return old;
            } catch (SQLException | IOException | RuntimeException e) {
                main.rollback();
                throw e;
            } finally {
                main.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("storing " + instance.sopInstanceUid(), e);
        }
    }

    @Override public synchronized Optional<IndexedInstance> get(String sopInstanceUid) throws IOException {
        ensureOpen();
        try {
            return select(sopInstanceUid);
        } catch (SQLException e) {
            throw failure("reading " + sopInstanceUid, e);
        }
    }

    private Optional<IndexedInstance> select(String sopInstanceUid) throws SQLException, IOException {
        try (PreparedStatement ps = main.prepareStatement("SELECT " + COLUMNS + " FROM instances WHERE sop_instance_uid = ?")) {
            ps.setString(1, sopInstanceUid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(instance(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Every instance in the order first added, read from the database as the stream is consumed,
     * on a connection of its own that closing the stream (or reaching its end) releases.
     */
    @Override public Stream<IndexedInstance> instances() throws IOException {
        ensureOpen();
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw failure("listing", e);
        }
        readers.add(c);
        if (closed) { // closed meanwhile: close() may not have seen this connection
            release(c);
            ensureOpen();
        }
        try {
            c.setReadOnly(true);
            PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM instances ORDER BY seq",
                    ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            ps.setFetchSize(FETCH_SIZE);
            Rows rows = new Rows(c, ps.executeQuery());
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED | Spliterator.NONNULL), false)
                    .onClose(rows::close);
        } catch (SQLException e) {
            release(c);
            throw failure("listing", e);
        }
    }

    @Override public synchronized int size() throws IOException {
        ensureOpen();
        try (Statement s = main.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM instances")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw failure("counting", e);
        }
    }

    @Override public synchronized boolean holdsScannedFolder() throws IOException {
        ensureOpen();
        try (PreparedStatement ps = main.prepareStatement("SELECT val FROM index_state WHERE name = ?")) {
            ps.setString(1, SCANNED);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw failure("reading the index state", e);
        }
    }

    @Override public synchronized void scanCompleted() throws IOException {
        ensureOpen();
        try (PreparedStatement ps = main.prepareStatement("MERGE INTO index_state (name, val) KEY (name) VALUES (?, ?)")) {
            ps.setString(1, SCANNED);
            ps.setString(2, OffsetDateTime.now().toString());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("writing the index state", e);
        }
    }

    /** Closes the database; listings still open fail from then on. Closing again does nothing. */
    @Override public void close() throws IOException {
        if (closed) return;
        closed = true;
        for (Connection c : readers) release(c);
        synchronized (this) {
            try {
                main.close();
            } catch (SQLException e) {
                throw failure("closing", e);
            }
        }
    }

    @Override public String toString() {
        return "H2Index[" + database + ".mv.db]";
    }

    // ---- rows and paths --------------------------------------------------------------------

    private IndexedInstance instance(ResultSet rs) throws SQLException, IOException {
        String uid = rs.getString(1);
        IndexedInstance i;
        try {
            i = new IndexedInstance(uid, rs.getString(2), rs.getString(3), resolvePath(rs.getString(4)), KeyCodec.decode(rs.getBytes(5)));
        } catch (IOException e) {
            throw new IOException("index entry of " + uid + " in " + database + ".mv.db: " + e.getMessage(), e);
        }
        rowsDecoded.incrementAndGet();
        return i;
    }

    /** Relative to the folder, with "/" between names, when under it; absolute otherwise. */
    private String storedPath(Path p) {
        if (!p.startsWith(folder) || p.equals(folder)) return p.toAbsolutePath().toString();
        StringBuilder sb = new StringBuilder();
        for (Path name : folder.relativize(p)) {
            if (sb.length() > 0) sb.append('/');
            sb.append(name);
        }
        return sb.toString();
    }

    private Path resolvePath(String stored) {
        Path p = Path.of(stored);
        return p.isAbsolute() ? p : folder.resolve(stored);
    }

    private void ensureOpen() throws IOException {
        if (closed) throw new IOException(this + " is closed");
    }

    private IOException failure(String what, SQLException e) {
        return new IOException(this + ": " + what + " failed: " + e.getMessage(), e);
    }

    private void release(Connection c) {
        readers.remove(c);
        closeQuietly(c);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // releasing: nothing more to do
        }
    }

    /** The rows of one listing; releases its connection at the end or on close. */
    private final class Rows implements Iterator<IndexedInstance> {
        private final Connection connection;
        private final ResultSet rs;
        private IndexedInstance next;
        private boolean done;

        Rows(Connection connection, ResultSet rs) {
            this.connection = connection;
            this.rs = rs;
        }

        @Override public boolean hasNext() {
            if (next != null) return true;
            if (done) return false;
            try {
                if (rs.next()) {
                    next = instance(rs);
                    return true;
                }
            } catch (SQLException e) {
                close();
                throw new UncheckedIOException(failure("listing", e));
            } catch (IOException e) {
                close();
                throw new UncheckedIOException(e);
            }
            close();
            return false;
        }

        @Override public IndexedInstance next() {
            if (!hasNext()) throw new NoSuchElementException();
            IndexedInstance i = next;
            next = null;
            return i;
        }

        void close() {
            done = true;
            closeQuietly(rs);
            release(connection);
        }
    }
}
