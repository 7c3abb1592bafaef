package org.dicomrelay.bridge;

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

    /** A token's row as cancelling needs it. */
    private record Row(String hash, String routerId, boolean used, boolean cancelled) {}

    private final Database db;

    EnrollmentTokens(Database db) {
        this.db = db;
    }

    static String idOf(String tokenHash) {
        return tokenHash.substring(0, ID_LENGTH);
    }

    /** Tokens not used, not cancelled and not expired at {@code now}, oldest first. */
    List<Unused> unused(long now) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT token_hash, router_id, display_name, label, created_at, expires_at FROM enrollment_tokens "
                                + "WHERE used_at IS NULL AND cancelled_at IS NULL AND expires_at > ? ORDER BY created_at, token_hash")
                .bind(0, now)
                .map((rs, ctx) -> new Unused(idOf(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6)))
                .list());
    }

    /**
     * Cancels an unused token: it can no longer enroll. 404 for no such token, 409 for one already
     * used or cancelled (an expired one is cancelled all the same: the answer says what it is now).
     * Returns the router ID the token was for.
     */
    String cancel(String id, long now) {
        return db.jdbi().inTransaction(h -> {
            List<Row> rows = h.createQuery("SELECT token_hash, router_id, used_at IS NOT NULL, cancelled_at IS NOT NULL "
                            + "FROM enrollment_tokens WHERE token_hash LIKE ?")
                    .bind(0, id + "%")
                    .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4)))
                    .list();
            if (rows.isEmpty()) throw ApiException.notFound("no enrollment token " + id);
            Row t = rows.get(0);
            if (t.used()) throw ApiException.conflict("enrollment token " + id + " was already used");
            if (t.cancelled()) throw ApiException.conflict("enrollment token " + id + " is already cancelled");
            if (rows.size() > 1) throw ApiException.conflict("enrollment token ID " + id + " is ambiguous");
            h.createUpdate("UPDATE enrollment_tokens SET cancelled_at = ? WHERE token_hash = ?").bind(0, now).bind(1, t.hash()).execute();
            return t.routerId();
        });
    }
}
