package org.dicomrelay.bridge;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The SQL of the access matrix and of AE title ownership (schema V5). Refusals the API reports
 * are thrown as {@link ApiException}.
 */
final class AccessStore {

    /**
     * One grant; {@code owner} is the router owning the AE title (null: nobody yet), {@code exported}
     * whether an active owner exports it now (only then is the grant in the directory).
     */
    record GrantRow(String routerId, String aeTitle, List<String> services, String owner, boolean exported) {}

    /** What a release freed: the former owner and how many grants on the title went with it. */
    record Release(String aeTitle, String formerOwner, int grantsRemoved) {}

    private static final String GRANTS = "SELECT g.router_id, g.ae_title, g.services, o.router_id, "
            + "CASE WHEN a.ae_title IS NOT NULL AND r.revoked_at IS NULL THEN 1 ELSE 0 END "
            + "FROM access_grants g LEFT JOIN ae_owners o ON o.ae_title = g.ae_title "
            + "LEFT JOIN router_aes a ON a.ae_title = g.ae_title AND a.router_id = o.router_id "
            + "LEFT JOIN routers r ON r.router_id = o.router_id";
    private static final String ONE_GRANT = " WHERE g.router_id = :router AND g.ae_title = :ae";
    private static final String DELETE_GRANT = "DELETE FROM access_grants WHERE router_id = :router AND ae_title = :ae";

    private final Database db;

    AccessStore(Database db) {
        this.db = db;
    }

    /** Sets the services {@code routerId} may use of {@code aeTitle} (replacing what it had); 404/409 for an unknown or revoked router. */
    GrantRow grant(String routerId, String aeTitle, List<String> services, long now) {
        return db.jdbi().inTransaction(h -> {
            requireActive(h, routerId);
            h.createUpdate(DELETE_GRANT).bind("router", routerId).bind("ae", aeTitle).execute();
            h.createUpdate("INSERT INTO access_grants (router_id, ae_title, services, granted_at) VALUES (:router, :ae, :services, :now)")
                    .bind("router", routerId).bind("ae", aeTitle).bind("services", String.join(",", services)).bind("now", now).execute();
            DirectoryVersion.bump(h);
            return grant(h, routerId, aeTitle).orElseThrow();
        });
    }

    /**
     * Takes {@code services} (all of them if null) away from a grant; a grant left with none goes.
     * Returns what is left; 404 if there was no grant.
     */
    Optional<GrantRow> revoke(String routerId, String aeTitle, List<String> services) {
        return db.jdbi().inTransaction(h -> {
            GrantRow row = grant(h, routerId, aeTitle)
                    .orElseThrow(() -> ApiException.notFound("router " + routerId + " has no grant on " + aeTitle));
            TreeSet<String> left = new TreeSet<>(row.services());
            if (services != null) left.removeAll(services);
            boolean gone = services == null || left.isEmpty();
            if (gone) {
                h.createUpdate(DELETE_GRANT).bind("router", routerId).bind("ae", aeTitle).execute();
            } else {
                h.createUpdate("UPDATE access_grants SET services = :services WHERE router_id = :router AND ae_title = :ae")
                        .bind("services", String.join(",", left)).bind("router", routerId).bind("ae", aeTitle).execute();
            }
            DirectoryVersion.bump(h);
            return gone ? Optional.<GrantRow>empty() : grant(h, routerId, aeTitle);
        });
    }

    /** The whole matrix, for the administrator. */
    List<GrantRow> all() {
        return db.jdbi().withHandle(h -> h.createQuery(GRANTS + " ORDER BY g.router_id, g.ae_title").map(AccessStore::grantRow).list());
    }

    /**
     * What router {@code me} may see of the matrix: grants where it is the requester or owns the
     * AE title, between active routers, on titles their owner exports now.
     */
    List<GrantRow> partyTo(String me) {
        return db.jdbi().withHandle(h -> h.createQuery(GRANTS + " JOIN routers q ON q.router_id = g.router_id "
                        + "WHERE q.revoked_at IS NULL AND (g.router_id = :me OR o.router_id = :me) ORDER BY g.router_id, g.ae_title")
                .bind("me", me).map(AccessStore::grantRow).filter(GrantRow::exported).list());
    }

    /**
     * Frees an AE title for another router: its ownership and the grants on it go. Refused (409)
     * while an active router still exports it: it would claim it again at its next sync.
     */
    Release release(String aeTitle) {
        return db.jdbi().inTransaction(h -> {
            String owner = h.createQuery("SELECT router_id FROM ae_owners WHERE ae_title = ?").bind(0, aeTitle).mapTo(String.class).findOne()
                    .orElseThrow(() -> ApiException.notFound("AE title " + aeTitle + " is not registered by any router"));
            boolean exported = h.createQuery("SELECT 1 FROM router_aes a JOIN routers r ON r.router_id = a.router_id "
                    + "WHERE a.ae_title = ? AND r.revoked_at IS NULL").bind(0, aeTitle).mapTo(Integer.class).findFirst().isPresent();
            if (exported) {
                throw ApiException.conflict("router " + owner + " still exports " + aeTitle
                        + ": remove it from that router's configuration first (or revoke the router)");
            }
            h.createUpdate("DELETE FROM router_aes WHERE ae_title = ?").bind(0, aeTitle).execute();
            h.createUpdate("DELETE FROM ae_owners WHERE ae_title = ?").bind(0, aeTitle).execute();
            int grants = h.createUpdate("DELETE FROM access_grants WHERE ae_title = ?").bind(0, aeTitle).execute();
            DirectoryVersion.bump(h);
            return new Release(aeTitle, owner, grants);
        });
    }

    private static void requireActive(Handle h, String routerId) {
        switch (RouterStatus.of(h, routerId)) {
            case UNKNOWN -> throw ApiException.notFound("no router " + routerId + " (enroll it first)");
            case REVOKED -> throw ApiException.conflict("router " + routerId + " is revoked");
            case ACTIVE -> { }
        }
    }

    private static Optional<GrantRow> grant(Handle h, String routerId, String aeTitle) {
        return h.createQuery(GRANTS + ONE_GRANT).bind("router", routerId).bind("ae", aeTitle).map(AccessStore::grantRow).findOne();
    }

    private static GrantRow grantRow(ResultSet rs, StatementContext ctx) throws SQLException {
        return new GrantRow(rs.getString(1), rs.getString(2), Arrays.asList(rs.getString(3).split(",")), rs.getString(4), rs.getInt(5) == 1);
    }
}
