package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the router's web console listens (router.yaml {@code console: {bind: 127.0.0.1, port: 8484}});
 * without the section there is no console. Loopback by default: the console changes the devices
 * table, so exposing it is the operator's explicit choice. With {@code certificate} and
 * {@code privateKey} (PEM, relative to router.yaml's folder) it serves HTTPS only, and its
 * session cookie is Secure.
 */
public record ConsoleListener(@JsonProperty("bind") String bind, @JsonProperty("port") Integer port,
                              @JsonProperty("certificate") String certificate, @JsonProperty("privateKey") String privateKey) {
    public static final int DEFAULT_PORT = 8484;

    public ConsoleListener {
        if (bind == null || bind.isBlank()) bind = "127.0.0.1";
        if (port == null) port = DEFAULT_PORT;
        if (port < 0 || port > 65535) throw new IllegalArgumentException("console.port must be 0 to 65535: " + port);
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException("console: give both certificate and privateKey (HTTPS), or neither (plain HTTP)");
        }
    }

    /** Over plain HTTP. */
    public ConsoleListener(String bind, Integer port) {
        this(bind, port, null, null);
    }

    /** HTTPS's context from the PEM files; null over plain HTTP. */
    public javax.net.ssl.SSLContext tls() throws java.io.IOException {
        return certificate == null ? null : org.dicomrelay.console.ConsoleTls.fromPem(java.nio.file.Path.of(certificate),
                java.nio.file.Path.of(privateKey));
    }

    ConsoleListener resolvedAgainst(java.nio.file.Path base) {
        return new ConsoleListener(bind, port, TlsFiles.resolve(base, certificate), TlsFiles.resolve(base, privateKey));
    }
}
