package org.dicomrelay.it;

import java.net.URI;
import java.nio.file.Path;

/** router.yaml as an administrator writes it, for routers run as processes. */
final class RouterYaml {
    private RouterYaml() {}

    /** Over a filesystem cloud, with a short retry back-off. */
    static String filesystemCloud(String id, Path state, String ae, int port, URI bridge, Path cloud, String devices) {
        return of(id, state, ae, port, bridge, """
                cloud:
                  provider: filesystem
                  settings:
                    root: %s
                """.formatted(cloud), devices);
    }

    /**
     * With a short retry back-off (at most 3 s), so that tests wait seconds for a drain, not minutes.
     *
     * @param cloud the {@code cloud:} section, or "" for the default store (at the Bridge)
     */
    static String of(String id, Path state, String ae, int port, URI bridge, String cloud, String devices) {
        return of(id, state, ae, port, bridge.toString(), cloud, devices);
    }

    /** As above, {@code bridgeUrls} naming one Bridge instance or several, separated by commas. */
    static String of(String id, Path state, String ae, int port, String bridgeUrls, String cloud, String devices) {
        return """
                routerId: %s
                stateDir: %s
                aeTitle: %s
                bind: 127.0.0.1
                port: %d
                bridgeUrl: "%s"
                %sretry:
                  initialDelaySeconds: 1
                  maxDelaySeconds: 3
                  giveUpAfterHours: 24
                devices:
                %s""".formatted(id, state, ae, port, bridgeUrls, cloud, devices);
    }
}
