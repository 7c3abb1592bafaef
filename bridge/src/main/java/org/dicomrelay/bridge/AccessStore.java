package org.dicomrelay.bridge;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

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

    private final Database db;

    AccessStore(Database db) {
        this.db = db;
    }

    /** Sets the services {@code routerId} may use of {@code aeTitle} (replacing what it had); 404/409 for an unknown or revoked router. */
    GrantRow grant(String routerId, String aeTitle, List<String> services, long now) throws SQLException {
        return db.tx(c -> {
            requireActive(c, routerId);
            BridgeStore.update(c, "DELETE FROM access_grants WHERE router_id = ? AND ae_title = ?", routerId, aeTitle);
            BridgeStore.update(c, "INSERT INTO access_grants (router_id, ae_title, services, granted_at) VALUES (?, ?, ?, ?)",
                    routerId, aeTitle, String.join(",", services), now);
            BridgeStore.bumpVersion(c);
            return grants(c, " WHERE g.router_id = ? AND g.ae_title = ?", routerId, aeTitle).get(0);
        });
    }

    /**
     * Takes {@code services} (all of them if null) away from a grant; a grant left with none goes.
     * Returns what is left; 404 if there was no grant.
     */
    Optional<GrantRow> revoke(String routerId, String aeTitle, List<String> services) throws SQLException {
        return db.tx(c -> {
            List<GrantRow> rows = grants(c, " WHERE g.router_id = ? AND g.ae_title = ?", routerId, aeTitle);
            if (rows.isEmpty()) throw ApiException.notFound("router " + routerId + " has no grant on " + aeTitle);
            TreeSet<String> left = new TreeSet<>(rows.get(0).services());
            if (services != null) left.removeAll(services);
            if (services == null || left.isEmpty()) {
                BridgeStore.update(c, "DELETE FROM access_grants WHERE router_id = ? AND ae_title = ?", routerId, aeTitle);
            } else {
                BridgeStore.update(c, "UPDATE access_grants SET services = ? WHERE router_id = ? AND ae_title = ?",
                        String.join(",", left), routerId, aeTitle);
            }
            BridgeStore.bumpVersion(c);
            return services == null || left.isEmpty() ? Optional.empty()
                    : Optional.of(grants(c, " WHERE g.router_id = ? AND g.ae_title = ?", routerId, aeTitle).get(0));
        });
    }

    /** The whole matrix, for the administrator. */
    List<GrantRow> all() throws SQLException {
        try (Connection c = db.connection()) {
            return grants(c, "");
        }
    }

    /**
     * What router {@code me} may see of the matrix: grants where it is the requester or owns the
     * AE title, between active routers, on titles their owner exports now.
     */
    List<GrantRow> partyTo(String me) throws SQLException {
        try (Connection c = db.connection()) {
            List<GrantRow> out = new ArrayList<>();
            for (GrantRow g : grants(c, " JOIN routers q ON q.router_id = g.router_id WHERE q.revoked_at IS NULL AND (g.router_id = ? OR o.router_id = ?)",
                    me, me)) {
                if (g.exported()) out.add(g);
            }
            return out;
        }
    }

    /**
     * Frees an AE title for another router: its ownership and the grants on it go. Refused (409)
     * while an active router still exports it: it would claim it again at its next sync.
     */
    Release release(String aeTitle) throws SQLException {
        return db.tx(c -> {
            String owner;
            try (PreparedStatement ps = c.prepareStatement("SELECT router_id FROM ae_owners WHERE ae_title = ?")) {
                ps.setString(1, aeTitle);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw ApiException.notFound("AE title " + aeTitle + " is not registered by any router");
                    owner = rs.getString(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM router_aes a JOIN routers r ON r.router_id = a.router_id "
                    + "WHERE a.ae_title = ? AND r.revoked_at IS NULL")) {
                ps.setString(1, aeTitle);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw ApiException.conflict("router " + owner + " still exports " + aeTitle
                                + ": remove it from that router's configuration first (or revoke the router)");
                    }
                }
            }
            BridgeStore.update(c, "DELETE FROM router_aes WHERE ae_title = ?", aeTitle);
            BridgeStore.update(c, "DELETE FROM ae_owners WHERE ae_title = ?", aeTitle);
            int grants = BridgeStore.update(c, "DELETE FROM access_grants WHERE ae_title = ?", aeTitle);
            BridgeStore.bumpVersion(c);
            return new Release(aeTitle, owner, grants);
        });
    }

    private static void requireActive(Connection c, String routerId) throws SQLException {
        Optional<Long> revoked = BridgeStore.revokedAt(c, routerId);
        if (revoked == null) throw ApiException.notFound("no router " + routerId + " (enroll it first)");
        if (revoked.isPresent()) throw ApiException.conflict("router " + routerId + " is revoked");
    }


    private static List<GrantRow> grants(Connection c, String where, String... args) throws SQLException {
        List<GrantRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(GRANTS + where + " ORDER BY g.router_id, g.ae_title")) {
            for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new GrantRow(rs.getString(1), rs.getString(2), Arrays.asList(rs.getString(3).split(",")), rs.getString(4),
                            rs.getInt(5) == 1));
                }
            }
        }
        return out;
    }
}
