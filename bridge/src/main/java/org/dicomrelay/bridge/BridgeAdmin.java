package org.dicomrelay.bridge;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.function.UnaryOperator;

/**
 * The Bridge's administration as another listener (the web console) mounts it: the very handlers
 * of {@code /api/admin/...} that the admin token guards on the API port, under the guard the
 * listener gives; the directory waiters woken after a change made there; the routers' traffic.
 */
public final class BridgeAdmin {
    private final BridgeApi api;

    BridgeAdmin(BridgeApi api) {
        this.api = api;
    }

    /** Adds the admin routes (enrollment tokens, routers, revocation, provider, access matrix), each wrapped by {@code guard}. */
    public void routes(RoutesConfig r, UnaryOperator<Handler> guard) {
        api.adminRoutes(r, guard);
        BridgeApi.apiErrors(r);
    }

    /** After a successful change through another listener: routers holding a directory request get the new one now. */
    public void changed() {
        api.directoryChanged();
    }

    public RouterTraffic.Snapshot traffic() {
        return api.traffic();
    }
}
