package org.dicomrelay.bridge;

/**
 * Where the Bridge's web console listens (bridge.yaml {@code console: {bind: 127.0.0.1, port: 8471}});
 * without the section there is no console. Loopback by default: the console enrolls and revokes
 * routers, so exposing it is the operator's explicit choice. It serves HTTPS with the Bridge's own
 * certificate when the Bridge does, and plain HTTP when the Bridge does (loopback only).
 */
public record BridgeConsoleListener(String bind, int port) {
    public static final int DEFAULT_PORT = 8471;

    public BridgeConsoleListener {
        if (bind == null || bind.isBlank()) bind = "127.0.0.1";
        if (port < 0 || port > 65535) throw new IllegalArgumentException("console.port must be 0 to 65535: " + port);
    }
}
