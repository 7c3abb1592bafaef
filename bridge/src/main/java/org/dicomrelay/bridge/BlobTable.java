package org.dicomrelay.bridge;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.StatementContext;

/** The SQL of the Bridge's blobs (table {@code blobs}, migration V2). */
final class BlobTable {

    /** One blob: who sent it, for whom, how much of it is stored, and whether it is complete. */
    record Row(String name, String senderId, String recipientId, long sizeBytes, int parts, boolean complete) {}

    /** What the Bridge holds in all. */
    record Totals(long blobs, long bytes) {}

    private static final String COLUMNS = "name, sender_id, recipient_id, size_bytes, parts, completed_at IS NOT NULL";

    private final Database db;

    BlobTable(Database db) {
        this.db = db;
    }

    Optional<Row> find(String name) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM blobs WHERE name = ?").bind(0, name)
                .map(BlobTable::row).findOne());
    }

    /**
     * Starts a blob; 404 for an unknown recipient, 410 for a revoked one, 409 if the name is taken.
     */
    void create(String name, String senderId, String recipientId, long now) {
        try {
            db.jdbi().useTransaction(h -> {
                switch (RouterStatus.of(h, recipientId)) {
                    case UNKNOWN -> throw ApiException.notFound("no router " + recipientId);
                    case REVOKED -> throw new ApiException(410, "router " + recipientId + " is revoked");
                    case ACTIVE -> { }
                }
                h.createUpdate("INSERT INTO blobs (name, sender_id, recipient_id, size_bytes, parts, created_at, updated_at) "
                                + "VALUES (:name, :sender, :recipient, 0, 0, :now, :now)")
                        .bind("name", name).bind("sender", senderId).bind("recipient", recipientId).bind("now", now).execute();
            });
        } catch (JdbiException e) {
            if (IntegrityViolation.in(e)) throw ApiException.conflict("blob name already in use");
            throw e;
        }
    }

    /** Records part {@code index} as stored; false if the blob went meanwhile (deleted, expired) or moved on. */
    boolean partStored(String name, int index, long newSize, boolean last, long now) {
        return db.jdbi().withHandle(h -> h.createUpdate("UPDATE blobs SET size_bytes = :size, parts = :parts, updated_at = :now, "
                        + "completed_at = :completed WHERE name = :name AND parts = :index AND completed_at IS NULL")
                .bind("size", newSize).bind("parts", index + 1).bind("now", now).bind("completed", last ? now : null)
                .bind("name", name).bind("index", index).execute()) == 1;
    }

    boolean delete(String name) {
        return db.jdbi().withHandle(h -> h.createUpdate("DELETE FROM blobs WHERE name = ?").bind(0, name).execute()) == 1;
    }

    /** Bytes the Bridge holds of a sender's blobs, complete or not. */
    long bytesOf(String senderId) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(SUM(size_bytes), 0) FROM blobs WHERE sender_id = ?")
                .bind(0, senderId).mapTo(Long.class).one());
    }

    /** How many blobs and bytes the Bridge holds in all. */
    Totals totals() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM blobs")
                .map((rs, ctx) -> new Totals(rs.getLong(1), rs.getLong(2))).one());
    }

    /** Names of complete blobs completed before {@code completedBefore}, and of incomplete ones untouched since {@code updatedBefore}. */
    List<String> expired(long completedBefore, long updatedBefore) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT name FROM blobs WHERE (completed_at IS NOT NULL AND completed_at < ?) "
                        + "OR (completed_at IS NULL AND updated_at < ?)")
                .bind(0, completedBefore).bind(1, updatedBefore).mapTo(String.class).list());
    }

    /** Names of the blobs a router sent or may receive. */
    List<String> of(String routerId) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT name FROM blobs WHERE sender_id = :router OR recipient_id = :router")
                .bind("router", routerId).mapTo(String.class).list());
    }

    private static Row row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getInt(5), rs.getBoolean(6));
    }
}
