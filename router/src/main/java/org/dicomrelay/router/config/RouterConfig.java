package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A router's configuration (router.yaml): who it is, where its state lives, its DICOM listener,
 * the local devices table, the Bridge, its Cloud IO provider settings, and when a C-STORE is
 * acknowledged: after the local spool is durable ({@code storeAck: spool}, the default) or after
 * the remote store succeeded ({@code storeAck: remote}, or per remote AE in {@code remoteAck});
 * limits on local associations ({@link Associations}), the retry policy ({@link RetryPolicy}) and
 * limits on the work of other routers ({@link Limits}) and on the age of their messages ({@link Link});
 * DICOM TLS on its listener ({@link ListenerTls}, null: plain DICOM only); the compression of the
 * objects it sends, per route ({@link Compression}); its web console ({@link ConsoleListener}, null: none).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RouterConfig(@JsonProperty("routerId") String routerId,
                           @JsonProperty("stateDir") String stateDir,
                           @JsonProperty("aeTitle") String aeTitle,
                           @JsonProperty("bind") String bind,
                           @JsonProperty("port") int port,
                           @JsonProperty("bridgeUrl") String bridgeUrl,
                           @JsonProperty("cloud") Cloud cloud,
                           @JsonProperty("storeAck") String storeAck,
                           @JsonProperty("devices") List<Device> devices,
                           @JsonProperty("remoteAck") List<String> remoteAck,
                           @JsonProperty("associations") Associations associations,
                           @JsonProperty("retry") RetryPolicy retry,
                           @JsonProperty("limits") Limits limits,
                           @JsonProperty("tls") ListenerTls tls,
                           @JsonProperty("link") Link link,
                           @JsonProperty("compression") Compression compression,
                           @JsonProperty("console") ConsoleListener console) {

    /**
     * Which Cloud IO provider and its local settings (credentials stay here, never at the Bridge);
     * {@code blobMaxAgeMinutes} (default 60): a payload this router uploaded that no answer
     * confirmed within that time is deleted from the cloud (its frame was lost).
     */
    public record Cloud(@JsonProperty("provider") String provider, @JsonProperty("settings") Map<String, String> settings,
                        @JsonProperty("blobMaxAgeMinutes") Integer blobMaxAgeMinutes) {
        public Cloud {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
            if (blobMaxAgeMinutes == null) blobMaxAgeMinutes = 60;
            if (blobMaxAgeMinutes < 1) throw new IllegalArgumentException("cloud.blobMaxAgeMinutes must be at least 1");
        }

        public Cloud(String provider, Map<String, String> settings) {
            this(provider, settings, null);
        }
    }

    /** How long an unanswered upload may stay in the cloud ({@link Cloud#blobMaxAgeMinutes}). */
    public java.time.Duration blobMaxAge() {
        return java.time.Duration.ofMinutes(cloud == null ? 60 : cloud.blobMaxAgeMinutes());
    }

    public RouterConfig {
        if (routerId == null || !routerId.matches("[a-z0-9][a-z0-9-]{1,62}")) {
            throw new IllegalArgumentException("routerId must be 2-63 lowercase letters, digits or '-': '" + routerId + "'");
        }
        if (aeTitle == null || aeTitle.isBlank() || aeTitle.length() > 16) throw new IllegalArgumentException("aeTitle must be 1 to 16 characters");
        devices = devices == null ? List.of() : List.copyOf(devices);
        remoteAck = remoteAck == null ? List.of() : List.copyOf(remoteAck);
        if (associations == null) associations = Associations.DEFAULT;
        if (retry == null) retry = RetryPolicy.DEFAULT;
        if (limits == null) limits = Limits.DEFAULT;
        if (link == null) link = Link.DEFAULT;
        if (compression == null) compression = Compression.NONE;
        if (bind == null) bind = "0.0.0.0";
        if (storeAck == null) storeAck = "spool";
        if (!storeAck.equals("spool") && !storeAck.equals("remote")) throw new IllegalArgumentException("storeAck must be 'spool' or 'remote'");
    }

    /** Without a web console. */
    public RouterConfig(String routerId, String stateDir, String aeTitle, String bind, int port, String bridgeUrl, Cloud cloud,
                        String storeAck, List<Device> devices, List<String> remoteAck, Associations associations, RetryPolicy retry,
                        Limits limits, ListenerTls tls, Link link) {
        this(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, remoteAck, associations, retry, limits, tls, link, null, null);
    }

    /** Without per-route acknowledgement overrides. */
    public RouterConfig(String routerId, String stateDir, String aeTitle, String bind, int port, String bridgeUrl, Cloud cloud,
                        String storeAck, List<Device> devices) {
        this(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, List.of(), null, null, null, null, null, null, null);
    }

    /** With the default {@link Limits}. */
    public RouterConfig(String routerId, String stateDir, String aeTitle, String bind, int port, String bridgeUrl, Cloud cloud,
                        String storeAck, List<Device> devices, List<String> remoteAck, Associations associations, RetryPolicy retry) {
        this(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, remoteAck, associations, retry, null, null, null, null, null);
    }

    /** With the default {@link Link} settings and no DICOM TLS. */
    public RouterConfig(String routerId, String stateDir, String aeTitle, String bind, int port, String bridgeUrl, Cloud cloud,
                        String storeAck, List<Device> devices, List<String> remoteAck, Associations associations, RetryPolicy retry,
                        Limits limits) {
        this(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, remoteAck, associations, retry, limits, null, null, null, null);
    }

    /** The same router with other association limits. */
    public RouterConfig withAssociations(Associations a) {
        return new RouterConfig(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, remoteAck, a, retry, limits, tls, link, compression, console);
    }

    /** The same router with another retry policy. */
    public RouterConfig withRetry(RetryPolicy r) {
        return new RouterConfig(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, remoteAck, associations, r, limits, tls, link, compression, console);
    }

    /** The same router with other limits on the work of other routers. */
    public RouterConfig withLimits(Limits l) {
        return new RouterConfig(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, remoteAck, associations, retry, l, tls, link, compression, console);
    }

    /** The same router with DICOM TLS on its listener (null: none). */
    public RouterConfig withTls(ListenerTls t) {
        return new RouterConfig(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, remoteAck, associations, retry, limits, t, link, compression, console);
    }

    /** The same router with another compression of the objects it sends. */
    public RouterConfig withCompression(Compression c) {
        return new RouterConfig(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, remoteAck, associations, retry, limits, tls, link, c, console);
    }

    /** The same router with its web console listening as given (null: no console). */
    public RouterConfig withConsole(ConsoleListener c) {
        return new RouterConfig(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, devices, remoteAck, associations, retry, limits, tls, link, compression, c);
    }

    /** The same router with another devices table (the console's changes). */
    public RouterConfig withDevices(List<Device> d) {
        return new RouterConfig(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck, d, remoteAck, associations, retry, limits, tls, link, compression, console);
    }

    /** Reads router.yaml; TLS file names in it are relative to its folder. */
    public static RouterConfig load(Path file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), RouterConfig.class)
                .tlsFilesRelativeTo(file.toAbsolutePath().getParent());
    }

    /** Reads router.yaml's bytes as if from a file in {@code base}. */
    static RouterConfig parse(byte[] yaml, Path base) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readValue(yaml, RouterConfig.class).tlsFilesRelativeTo(base);
    }

    private RouterConfig tlsFilesRelativeTo(Path base) {
        return new RouterConfig(routerId, stateDir, aeTitle, bind, port, bridgeUrl, cloud, storeAck,
                devices.stream().map(d -> d.resolvedAgainst(base)).toList(), remoteAck, associations, retry, limits,
                tls == null ? null : tls.resolvedAgainst(base), link, compression, console == null ? null : console.resolvedAgainst(base));
    }

    public void save(Path file) throws IOException {
        new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), this);
    }

    public Path state() { return Path.of(stateDir); }

    public Optional<Device> device(String aeTitle) {
        return devices.stream().filter(d -> d.aeTitle().equals(aeTitle)).findFirst();
    }

    /**
     * Whether a C-STORE to this remote AE is acknowledged only after the remote store succeeded:
     * the router's default ({@code storeAck}), or per route when the AE is listed in {@code remoteAck}.
     */
    public boolean acksAfterRemoteStore(String remoteAe) {
        return storeAck.equals("remote") || remoteAck.contains(remoteAe);
    }
}
