package org.dicomrelay.bridge;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Whether a router ID is enrolled at all and, if so, whether it is revoked (table {@code routers}). */
enum RouterStatus {
    UNKNOWN, ACTIVE, REVOKED;

    static RouterStatus of(Handle h, String routerId) {
        Optional<Boolean> revoked = h.createQuery("SELECT revoked_at IS NOT NULL FROM routers WHERE router_id = ?")
                .bind(0, routerId).mapTo(Boolean.class).findOne();
        return revoked.isEmpty() ? UNKNOWN : revoked.get() ? REVOKED : ACTIVE;
    }
}
