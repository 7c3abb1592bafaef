package org.dicomrelay.bridge;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL of the Bridge's blobs (table {@code blobs}, migration V2). */
final class BlobTable {

    /** One blob: who sent it, for whom, how much of it is stored, and whether it is complete. */
    record Row(String name, String senderId, String recipientId, long sizeBytes, int parts, boolean complete) {}

    /** What the Bridge holds in all. */
    record Totals(long blobs, long bytes) {}

    private static final String COLUMNS = "name, sender_id, recipient_id, size_bytes, parts, completed_at";

    private final Database db;

    BlobTable(Database db) {
        this.db = db;
    }

    Optional<Row> find(String name) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM blobs WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Starts a blob; 404 for an unknown recipient, 410 for a revoked one, 409 if the name is taken.
     */
    void create(String name, String senderId, String recipientId, long now) throws SQLException {
        try {
            db.tx(c -> {
                BridgeStore.requireActive(c, recipientId, 410);
                BridgeStore.update(c, "INSERT INTO blobs (name, sender_id, recipient_id, size_bytes, parts, created_at, updated_at) "
                        + "VALUES (?, ?, ?, 0, 0, ?, ?)", name, senderId, recipientId, now, now);
                return null;
            });
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) throw ApiException.conflict("blob name already in use");
            throw e;
        }
    }

    /** Records part {@code index} as stored; false if the blob went meanwhile (deleted, expired) or moved on. */
    boolean partStored(String name, int index, long newSize, boolean last, long now) throws SQLException {
        try (Connection c = db.connection()) {
            return BridgeStore.update(c, "UPDATE blobs SET size_bytes = ?, parts = ?, updated_at = ?, completed_at = ? "
                    + "WHERE name = ? AND parts = ? AND completed_at IS NULL", newSize, index + 1, now, last ? now : null, name, index) == 1;
        }
    }

    boolean delete(String name) throws SQLException {
        try (Connection c = db.connection()) {
            return BridgeStore.update(c, "DELETE FROM blobs WHERE name = ?", name) == 1;
        }
    }

    /** Bytes the Bridge holds of a sender's blobs, complete or not. */
    long bytesOf(String senderId) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(size_bytes), 0) FROM blobs WHERE sender_id = ?")) {
            ps.setString(1, senderId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** How many blobs and bytes the Bridge holds in all. */
    Totals totals() throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM blobs");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Totals(rs.getLong(1), rs.getLong(2));
        }
    }

    /** Names of complete blobs completed before {@code completedBefore}, and of incomplete ones untouched since {@code updatedBefore}. */
    List<String> expired(long completedBefore, long updatedBefore) throws SQLException {
        return names("SELECT name FROM blobs WHERE (completed_at IS NOT NULL AND completed_at < ?) "
                + "OR (completed_at IS NULL AND updated_at < ?)", completedBefore, updatedBefore);
    }

    /** Names of the blobs a router sent or may receive. */
    List<String> of(String routerId) throws SQLException {
        return names("SELECT name FROM blobs WHERE sender_id = ? OR recipient_id = ?", routerId, routerId);
    }

    private List<String> names(String sql, Object... args) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static Row row(ResultSet rs) throws SQLException {
        String name = rs.getString(1), sender = rs.getString(2), recipient = rs.getString(3);
        long size = rs.getLong(4);
        int parts = rs.getInt(5);
        rs.getLong(6);
        return new Row(name, sender, recipient, size, parts, !rs.wasNull());
    }
}
