package org.dicomrelay.bridge;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.dicomrelay.relay.bridge.AeRecord;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.bridge.api.InboxMessage;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The SQL of routers (enrollment, keys, revocation, provider), AE titles, the directory and the inbox;
 * the access matrix, tokens and blobs have their own ({@link AccessStore}, {@link EnrollmentTokens},
 * {@link BlobTable}). Refusals the API reports are thrown as {@link ApiException}.
 */
final class BridgeStore {

    /** @param clientCertSha256 hex SHA-256 of the TLS client certificate issued at enrollment (null: none) */
    record RouterAuth(String routerId, boolean revoked, String clientCertSha256) {}

    record RouterRow(String routerId, String displayName, String hpkePublicKey, String signaturePublicKey,
                     long enrolledAt, Long revokedAt, String providerName, String providerSettings) {
        RouterRecord record() {
            return new RouterRecord(routerId, Base64.getDecoder().decode(hpkePublicKey), Base64.getDecoder().decode(signaturePublicKey));
        }
    }

    record AeRow(String aeTitle, String routerId, List<String> services) {
        AeRecord record() {
            return new AeRecord(aeTitle, routerId, services);
        }
    }

    /** One link of a router's key history; proof (base64) null for the enrollment keys. */
    record KeyRow(String hpkePublicKey, String signaturePublicKey, String proof) {}

    record DirectorySnapshot(long version, List<RouterRow> routers, Map<String, List<KeyRow>> keyHistory, List<AeRow> aes) {}

    private static final String ROUTER_COLUMNS = "router_id, display_name, hpke_public_key, signature_public_key, "
            + "enrolled_at, revoked_at, provider_name, provider_settings";

    private final Database db;

    BridgeStore(Database db) {
        this.db = db;
    }

    // --- enrollment ---

    void addEnrollmentToken(String tokenHash, String routerId, String displayName, String label, long now, long expiresAt) {
        db.jdbi().useTransaction(h -> {
            // Re-enrolling an active router would replace its keys without proof of possession: revoke it first.
            if (RouterStatus.of(h, routerId) == RouterStatus.ACTIVE) throw ApiException.conflict(activeRouter(routerId));
            h.createUpdate("INSERT INTO enrollment_tokens (token_hash, router_id, display_name, label, created_at, expires_at) "
                            + "VALUES (:hash, :router, :name, :label, :now, :expires)")
                    .bind("hash", tokenHash).bind("router", routerId).bind("name", displayName).bind("label", label)
                    .bind("now", now).bind("expires", expiresAt).execute();
        });
    }

    /** An enrollment token as {@link #enroll} checks it. */
    private record TokenRow(String routerId, String displayName, long expiresAt, boolean used, boolean cancelled) {}

    /**
     * Consumes the token and creates the router, or re-enrolls a revoked one (new keys, new API
     * key, a new key history; its peers must confirm the new keys). An active router is refused (409).
     */
    void enroll(String tokenHash, RouterRecord rec, String apiKeyHash, String clientCertSha256, long now) {
        db.jdbi().useTransaction(h -> {
            TokenRow token = h.createQuery("SELECT router_id, display_name, expires_at, used_at IS NOT NULL, cancelled_at IS NOT NULL "
                            + "FROM enrollment_tokens WHERE token_hash = ?")
                    .bind(0, tokenHash)
                    .map((rs, ctx) -> new TokenRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4), rs.getBoolean(5)))
                    .findOne()
                    .filter(t -> t.routerId().equals(rec.routerId()))
                    .orElseThrow(() -> ApiException.unauthorized("invalid enrollment token"));
            if (token.used()) throw ApiException.conflict("enrollment token already used");
            if (token.cancelled()) throw ApiException.unauthorized("enrollment token cancelled by the Bridge administrator");
            if (token.expiresAt() <= now) throw ApiException.unauthorized("enrollment token expired");
            if (h.createUpdate("UPDATE enrollment_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL")
                    .bind(0, now).bind(1, tokenHash).execute() != 1) {
                throw ApiException.conflict("enrollment token already used");
            }
            RouterStatus status = RouterStatus.of(h, rec.routerId());
            if (status == RouterStatus.ACTIVE) throw ApiException.conflict(activeRouter(rec.routerId()));
            String sql = status == RouterStatus.UNKNOWN
                    ? "INSERT INTO routers (display_name, hpke_public_key, signature_public_key, api_key_hash, enrolled_at, client_cert_sha256, router_id) "
                            + "VALUES (:name, :hpke, :signature, :apiKeyHash, :now, :cert, :router)"
                    : "UPDATE routers SET display_name = :name, hpke_public_key = :hpke, signature_public_key = :signature, api_key_hash = :apiKeyHash, "
                            + "enrolled_at = :now, client_cert_sha256 = :cert, revoked_at = NULL WHERE router_id = :router";
            h.createUpdate(sql).bind("name", token.displayName()).bind("hpke", rec.hpkePublicKeyBase64())
                    .bind("signature", rec.signaturePublicKeyBase64()).bind("apiKeyHash", apiKeyHash).bind("now", now)
                    .bind("cert", clientCertSha256).bind("router", rec.routerId()).execute();
            h.createUpdate("DELETE FROM router_key_history WHERE router_id = ?").bind(0, rec.routerId()).execute();
            h.createUpdate("INSERT INTO router_key_history (router_id, seq, hpke_public_key, signature_public_key, proof, created_at) "
                            + "VALUES (:router, 0, :hpke, :signature, NULL, :now)")
                    .bind("router", rec.routerId()).bind("hpke", rec.hpkePublicKeyBase64()).bind("signature", rec.signaturePublicKeyBase64())
                    .bind("now", now).execute();
            DirectoryVersion.bump(h);
        });
    }

    Optional<RouterAuth> routerByApiKeyHash(String apiKeyHash) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT router_id, revoked_at IS NOT NULL, client_cert_sha256 FROM routers WHERE api_key_hash = ?")
                .bind(0, apiKeyHash)
                .map((rs, ctx) -> new RouterAuth(rs.getString(1), rs.getBoolean(2), rs.getString(3)))
                .findOne());
    }

    // --- administration ---

    /** Revokes a router (idempotent): its AE titles, pending notifications and unused tokens go. Returns when it was revoked. */
    long revoke(String routerId, long now) {
        return db.jdbi().inTransaction(h -> {
            switch (RouterStatus.of(h, routerId)) {
                case UNKNOWN -> throw ApiException.notFound("no router " + routerId);
                case REVOKED -> {
                    return h.createQuery("SELECT revoked_at FROM routers WHERE router_id = ?").bind(0, routerId).mapTo(Long.class).one();
                }
                case ACTIVE -> { }
            }
            h.createUpdate("UPDATE routers SET revoked_at = ? WHERE router_id = ?").bind(0, now).bind(1, routerId).execute();
            h.createUpdate("DELETE FROM router_aes WHERE router_id = ?").bind(0, routerId).execute(); // its titles stay its own (ae_owners) until released
            h.createUpdate("DELETE FROM access_grants WHERE router_id = ?").bind(0, routerId).execute();
            h.createUpdate("DELETE FROM inbox_messages WHERE recipient_id = ?").bind(0, routerId).execute();
            h.createUpdate("UPDATE enrollment_tokens SET used_at = ? WHERE router_id = ? AND used_at IS NULL").bind(0, now).bind(1, routerId).execute();
            DirectoryVersion.bump(h);
            return now;
        });
    }

    List<RouterRow> routers() {
        return db.jdbi().withHandle(h -> routers(h, false));
    }

    /** AE titles per router ID. */
    Map<String, List<AeRow>> aesByRouter() {
        Map<String, List<AeRow>> out = new LinkedHashMap<>();
        for (AeRow ae : db.jdbi().withHandle(BridgeStore::aes)) out.computeIfAbsent(ae.routerId(), k -> new ArrayList<>()).add(ae);
        return out;
    }

    void setProvider(String routerId, String name, String settingsJson) {
        db.jdbi().useTransaction(h -> {
            requireActive(h, routerId, 409);
            h.createUpdate("UPDATE routers SET provider_name = ?, provider_settings = ? WHERE router_id = ?")
                    .bind(0, name).bind(1, settingsJson).bind(2, routerId).execute();
            DirectoryVersion.bump(h);
        });
    }

    // --- AE titles and directory ---

    /**
     * Replaces a router's AE titles, all or nothing; 409 naming each title another router owns, and
     * its owner. A title is owned by the router that first registered it, until an administrator
     * releases it ({@link AccessStore#release}), whether its owner still exports it or not.
     */
    void replaceAes(String routerId, List<AeRecord> aes, long now) {
        try {
            db.jdbi().useTransaction(h -> {
                Map<String, String> conflicts = new LinkedHashMap<>();
                List<String> unowned = new ArrayList<>();
                for (AeRecord ae : aes) {
                    Optional<String> owner = h.createQuery("SELECT router_id FROM ae_owners WHERE ae_title = ?").bind(0, ae.aeTitle())
                            .mapTo(String.class).findOne();
                    if (owner.isEmpty()) unowned.add(ae.aeTitle());
                    else if (!owner.get().equals(routerId)) conflicts.put(ae.aeTitle(), owner.get());
                }
                // every conflict at once, with its owner, so the router can publish the rest in one more call
                if (!conflicts.isEmpty()) throw ApiException.aeConflicts(conflicts);
                // routers publish at every sync: the same list again changes nothing, so it wakes no one (DirectoryChanges)
                if (sameAes(h, routerId, aes)) return;
                PreparedBatch owners = h.prepareBatch("INSERT INTO ae_owners (ae_title, router_id, registered_at) VALUES (?, ?, ?)");
                for (String title : unowned) owners.bind(0, title).bind(1, routerId).bind(2, now).add();
                if (owners.size() > 0) owners.execute();
                h.createUpdate("DELETE FROM router_aes WHERE router_id = ?").bind(0, routerId).execute();
                PreparedBatch exports = h.prepareBatch("INSERT INTO router_aes (ae_title, router_id, services) VALUES (?, ?, ?)");
                for (AeRecord ae : aes) exports.bind(0, ae.aeTitle()).bind(1, routerId).bind(2, String.join(",", ae.services())).add();
                if (exports.size() > 0) exports.execute();
                DirectoryVersion.bump(h);
            });
        } catch (JdbiException e) {
            // two routers claiming the same title at the same moment: the primary key decides
            if (IntegrityViolation.in(e)) throw ApiException.conflict("an AE title in the list is owned by another router");
            throw e;
        }
    }

    private static boolean sameAes(Handle h, String routerId, List<AeRecord> aes) {
        Map<String, String> now = new LinkedHashMap<>();
        h.createQuery("SELECT ae_title, services FROM router_aes WHERE router_id = ?").bind(0, routerId)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).forEach(e -> now.put(e.getKey(), e.getValue()));
        Map<String, String> next = new LinkedHashMap<>();
        for (AeRecord ae : aes) next.put(ae.aeTitle(), String.join(",", ae.services()));
        return now.equals(next);
    }

    /** The directory's version: it changes with every change of routers, keys, AE titles, providers or access. */
    long directoryVersion() {
        return db.jdbi().withHandle(DirectoryVersion::read);
    }

    /** Active routers and their AE titles, read in one transaction so that version and content agree. */
    DirectorySnapshot directory() {
        return db.jdbi().inTransaction(h -> {
            long version = DirectoryVersion.read(h);
            List<RouterRow> routers = routers(h, true);
            Map<String, List<KeyRow>> history = new LinkedHashMap<>();
            h.createQuery("SELECT router_id, hpke_public_key, signature_public_key, proof FROM router_key_history ORDER BY router_id, seq")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), new KeyRow(rs.getString(2), rs.getString(3), rs.getString(4))))
                    .forEach(e -> history.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            return new DirectorySnapshot(version, routers, history, aes(h));
        });
    }

    /** The current public keys of an active router; 404 for an unknown one, 409 for a revoked one. */
    RouterRecord activeKeys(String routerId) {
        return db.jdbi().inTransaction(h -> {
            requireActive(h, routerId, 409);
            return h.createQuery("SELECT " + ROUTER_COLUMNS + " FROM routers WHERE router_id = ?").bind(0, routerId)
                    .map(BridgeStore::routerRow).one().record();
        });
    }

    /**
     * Replaces a router's keys with {@code next}, appended to its key history with the proof (the
     * caller checked it against {@code current}). Only if the keys are still {@code current}
     * (409 otherwise: a concurrent rotation); keys equal to the current ones are a repeat (a retried
     * rotation) and change nothing. Returns whether the keys changed.
     */
    boolean rotateKeys(RouterRecord current, RouterRecord next, String proofBase64, long now) {
        return db.jdbi().inTransaction(h -> {
            RouterRecord now0 = h.createQuery("SELECT " + ROUTER_COLUMNS + " FROM routers WHERE router_id = ? AND revoked_at IS NULL")
                    .bind(0, current.routerId()).map(BridgeStore::routerRow).findOne().map(RouterRow::record)
                    .orElseThrow(() -> ApiException.conflict("router " + current.routerId() + " is not active"));
            if (now0.equals(next)) return false;
            if (!now0.equals(current)) throw ApiException.conflict("the keys of router " + current.routerId() + " changed meanwhile; retry");
            h.createUpdate("UPDATE routers SET hpke_public_key = ?, signature_public_key = ? WHERE router_id = ?")
                    .bind(0, next.hpkePublicKeyBase64()).bind(1, next.signaturePublicKeyBase64()).bind(2, next.routerId()).execute();
            int seq = h.createQuery("SELECT COALESCE(MAX(seq), -1) FROM router_key_history WHERE router_id = ?").bind(0, next.routerId())
                    .mapTo(Integer.class).one() + 1;
            h.createUpdate("INSERT INTO router_key_history (router_id, seq, hpke_public_key, signature_public_key, proof, created_at) "
                            + "VALUES (:router, :seq, :hpke, :signature, :proof, :now)")
                    .bind("router", next.routerId()).bind("seq", seq).bind("hpke", next.hpkePublicKeyBase64())
                    .bind("signature", next.signaturePublicKeyBase64()).bind("proof", proofBase64).bind("now", now).execute();
            DirectoryVersion.bump(h);
            return true;
        });
    }

    // --- inbox ---

    /**
     * Stores a notification unless the recipient has {@code maxPending} unacknowledged ones, or
     * {@code maxPerSender} from this sender (429 for that sender only: the others still post); 404
     * for an unknown recipient, 410 for a revoked one. One statement when it is stored (the publish
     * path is hot: a notification per bundle); the reason of a refusal is looked up only then.
     */
    String enqueue(String recipientId, String senderId, String payloadBase64, long now, int maxPending, int maxPerSender) {
        return db.jdbi().inTransaction(h -> {
            Optional<Long> id = h.createUpdate("INSERT INTO inbox_messages (recipient_id, sender_id, payload, created_at, visible_at, deliveries) "
                            + "SELECT r.router_id, CAST(:sender AS VARCHAR(64)), CAST(:payload AS VARCHAR(400000)), CAST(:now AS BIGINT), "
                            + "CAST(:now AS BIGINT), 0 FROM routers r WHERE r.router_id = :recipient AND r.revoked_at IS NULL "
                            + "AND (SELECT COUNT(*) FROM inbox_messages WHERE recipient_id = :recipient) < :maxPending "
                            + "AND (SELECT COUNT(*) FROM inbox_messages WHERE recipient_id = :recipient AND sender_id = :sender) < :maxPerSender")
                    .bind("sender", senderId).bind("payload", payloadBase64).bind("now", now).bind("recipient", recipientId)
                    .bind("maxPending", (long) maxPending).bind("maxPerSender", (long) maxPerSender)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).findOne();
            if (id.isPresent()) return Long.toString(id.get());
            throw refusal(h, recipientId, senderId, maxPending, maxPerSender);
        });
    }

    /** Why {@link #enqueue} stored nothing. */
    private static ApiException refusal(Handle h, String recipientId, String senderId, int maxPending, int maxPerSender) {
        switch (RouterStatus.of(h, recipientId)) {
            case UNKNOWN -> {
                return ApiException.notFound("no router " + recipientId);
            }
            case REVOKED -> {
                return new ApiException(410, "router " + recipientId + " is revoked");
            }
            case ACTIVE -> { }
        }
        long pending = h.createQuery("SELECT COUNT(*) FROM inbox_messages WHERE recipient_id = ?").bind(0, recipientId).mapTo(Long.class).one();
        if (pending >= maxPending) return new ApiException(429, "the inbox of router " + recipientId + " is full");
        return new ApiException(429, "router " + senderId + " has " + maxPerSender + " unacknowledged notifications in the inbox of router "
                + recipientId + ": try again later");
    }

    /**
     * Takes up to {@code limit} visible notifications of a recipient and hides them until
     * {@code hiddenUntil}. Each row is claimed with a conditional update, so two concurrent polls
     * never both get the same notification. Each delivery has its own ID, {@code <row>-<delivery>}
     * (a receipt handle): {@link #ack} with the ID of an earlier delivery does not delete the
     * notification delivered again since.
     */
    List<InboxMessage> claim(String recipientId, long now, long hiddenUntil, int limit) {
        record Candidate(long id, int deliveries, String payload) {}
        return db.jdbi().withHandle(h -> {
            List<Candidate> candidates = h.createQuery("SELECT id, deliveries, payload FROM inbox_messages "
                            + "WHERE recipient_id = ? AND visible_at <= ? ORDER BY id FETCH FIRST " + limit + " ROWS ONLY")
                    .bind(0, recipientId).bind(1, now)
                    .map((rs, ctx) -> new Candidate(rs.getLong(1), rs.getInt(2), rs.getString(3))).list();
            List<InboxMessage> claimed = new ArrayList<>();
            for (Candidate m : candidates) {
                int taken = h.createUpdate("UPDATE inbox_messages SET visible_at = :hidden, deliveries = deliveries + 1 "
                                + "WHERE id = :id AND deliveries = :deliveries AND visible_at <= :now")
                        .bind("hidden", hiddenUntil).bind("id", m.id()).bind("deliveries", m.deliveries()).bind("now", now).execute();
                if (taken == 1) claimed.add(new InboxMessage(m.id() + "-" + (m.deliveries() + 1), m.payload()));
            }
            return claimed;
        });
    }

    /** When the next hidden notification of a recipient becomes visible again, if any is hidden. */
    OptionalLong nextVisibleAt(String recipientId, long now) {
        Optional<Long> next = db.jdbi().withHandle(h -> h.createQuery("SELECT MIN(visible_at) FROM inbox_messages WHERE recipient_id = ? AND visible_at > ?")
                .bind(0, recipientId).bind(1, now).mapTo(Long.class).findOne());
        return next.map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** Makes every notification of a recipient now hidden (delivered, unacknowledged) visible again; how many. */
    int release(String recipientId, long now) {
        return db.jdbi().withHandle(h -> h.createUpdate("UPDATE inbox_messages SET visible_at = :now WHERE recipient_id = :router AND visible_at > :now")
                .bind("now", now).bind("router", recipientId).execute());
    }

    /**
     * Deletes a notification if {@code delivery} is its latest delivery (null: whichever, for IDs
     * without a delivery number); false if there is none, or it was delivered again since.
     */
    boolean ack(String recipientId, InboxDeliveryId id) {
        return ack(recipientId, List.of(id)).isEmpty();
    }

    /**
     * {@link #ack(String, InboxDeliveryId)} for several deliveries in one transaction and one batch
     * of statements; returns those not acknowledged (gone, or delivered again since).
     */
    List<InboxDeliveryId> ack(String recipientId, List<InboxDeliveryId> ids) {
        if (ids.isEmpty()) return List.of();
        return db.jdbi().inTransaction(h -> {
            List<InboxDeliveryId> latest = new ArrayList<>(), any = new ArrayList<>();
            for (InboxDeliveryId id : ids) (id.delivery() == null ? any : latest).add(id);
            List<InboxDeliveryId> missed = new ArrayList<>();
            deleteEach(h, "DELETE FROM inbox_messages WHERE id = ? AND recipient_id = ? AND deliveries = ?", recipientId, latest, missed);
            deleteEach(h, "DELETE FROM inbox_messages WHERE id = ? AND recipient_id = ?", recipientId, any, missed);
            return missed;
        });
    }

    private static void deleteEach(Handle h, String sql, String recipientId, List<InboxDeliveryId> ids, List<InboxDeliveryId> missed) {
        if (ids.isEmpty()) return;
        PreparedBatch batch = h.prepareBatch(sql);
        for (InboxDeliveryId id : ids) {
            batch.bind(0, id.notification()).bind(1, recipientId);
            if (id.delivery() != null) batch.bind(2, id.delivery().intValue());
            batch.add();
        }
        int[] counts = batch.execute();
        for (int i = 0; i < counts.length; i++) if (counts[i] != 1) missed.add(ids.get(i));
    }

    // --- helpers ---

    private static String activeRouter(String routerId) {
        return "router " + routerId + " is enrolled and active: re-enrolling it would replace its keys without proof; "
                + "rotate its keys from the router (rotate-keys), or revoke it first";
    }

    /** 404 for an unknown router, {@code statusIfRevoked} for a revoked one. */
    static void requireActive(Handle h, String routerId, int statusIfRevoked) {
        switch (RouterStatus.of(h, routerId)) {
            case UNKNOWN -> throw ApiException.notFound("no router " + routerId);
            case REVOKED -> throw new ApiException(statusIfRevoked, "router " + routerId + " is revoked");
            case ACTIVE -> { }
        }
    }

    private static List<RouterRow> routers(Handle h, boolean activeOnly) {
        return h.createQuery("SELECT " + ROUTER_COLUMNS + " FROM routers" + (activeOnly ? " WHERE revoked_at IS NULL" : "") + " ORDER BY router_id")
                .map(BridgeStore::routerRow).list();
    }

    private static RouterRow routerRow(ResultSet rs, StatementContext ctx) throws SQLException {
        long revoked = rs.getLong(6);
        Long revokedAt = rs.wasNull() ? null : revoked;
        return new RouterRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getLong(5), revokedAt, rs.getString(7), rs.getString(8));
    }

    /** AE titles of active routers (a revoked router's titles are deleted with the revocation). */
    private static List<AeRow> aes(Handle h) {
        return h.createQuery("SELECT a.ae_title, a.router_id, a.services FROM router_aes a "
                        + "JOIN routers r ON r.router_id = a.router_id WHERE r.revoked_at IS NULL ORDER BY a.ae_title")
                .map((rs, ctx) -> new AeRow(rs.getString(1), rs.getString(2), Arrays.asList(rs.getString(3).split(","))))
                .list();
    }
}
