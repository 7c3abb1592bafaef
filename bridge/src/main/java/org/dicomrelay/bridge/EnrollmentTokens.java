package org.dicomrelay.bridge;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The administrator's view of enrollment tokens: the unused ones (not used, cancelled or expired)
 * and cancelling one. Only the token's hash is stored; a token is named by {@link #idOf} its hash,
 * so a listing can never show the secret again.
 */
final class EnrollmentTokens {
    /** Hex digits of the hash that name a token: 64 bits, unique in practice, useless to guess the token from. */
    static final int ID_LENGTH = 16;
    static final Pattern ID = Pattern.compile("[0-9a-f]{" + ID_LENGTH + "}");

    /** An unused token as listed: never the token itself. */
    record Unused(String id, String routerId, String displayName, String label, long createdAt, long expiresAt) {}

    private final Database db;

    EnrollmentTokens(Database db) {
        this.db = db;
    }

    static String idOf(String tokenHash) {
        return tokenHash.substring(0, ID_LENGTH);
    }

    /** Tokens not used, not cancelled and not expired at {@code now}, oldest first. */
    List<Unused> unused(long now) throws SQLException {
        List<Unused> out = new ArrayList<>();
        try (var c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT token_hash, router_id, display_name, label, created_at, expires_at FROM enrollment_tokens "
                        + "WHERE used_at IS NULL AND cancelled_at IS NULL AND expires_at > ? ORDER BY created_at, token_hash")) {
            ps.setLong(1, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Unused(idOf(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6)));
                }
            }
        }
        return out;
    }

    /**
     * Cancels an unused token: it can no longer enroll. 404 for no such token, 409 for one already
     * used or cancelled (an expired one is cancelled all the same: the answer says what it is now).
     * Returns the router ID the token was for.
     */
    String cancel(String id, long now) throws SQLException {
        return db.tx(c -> {
            String hash, routerId;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT token_hash, router_id, used_at, cancelled_at FROM enrollment_tokens WHERE token_hash LIKE ?")) {
                ps.setString(1, id + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw ApiException.notFound("no enrollment token " + id);
                    hash = rs.getString(1);
                    routerId = rs.getString(2);
                    rs.getLong(3);
                    if (!rs.wasNull()) throw ApiException.conflict("enrollment token " + id + " was already used");
                    rs.getLong(4);
                    if (!rs.wasNull()) throw ApiException.conflict("enrollment token " + id + " is already cancelled");
                    if (rs.next()) throw ApiException.conflict("enrollment token ID " + id + " is ambiguous");
                }
            }
            BridgeStore.update(c, "UPDATE enrollment_tokens SET cancelled_at = ? WHERE token_hash = ?", now, hash);
            return routerId;
        });
    }
}
