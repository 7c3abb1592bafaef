package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the router's web console listens (router.yaml {@code console: {bind: 127.0.0.1, port: 8484}});
 * without the section there is no console. Loopback by default: the console changes the devices
 * table, so exposing it is the operator's explicit choice.
 */
public record ConsoleListener(@JsonProperty("bind") String bind, @JsonProperty("port") Integer port) {
    public static final int DEFAULT_PORT = 8484;

    public ConsoleListener {
        if (bind == null || bind.isBlank()) bind = "127.0.0.1";
        if (port == null) port = DEFAULT_PORT;
        if (port < 0 || port > 65535) throw new IllegalArgumentException("console.port must be 0 to 65535: " + port);
    }
}
