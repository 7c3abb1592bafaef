package org.dicomrelay.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomrelay.relay.tls.LoopbackHost;

/**
 * Bridge settings. Load them with {@link #load(Path)} from YAML, or build them with {@link #builder()}.
 * The admin token is a secret: it comes from the file or, if the file has none, from the environment
 * variable {@value #ADMIN_TOKEN_ENV} (or the one the file names as {@code adminTokenEnv}), and
 * {@link #toString()} never shows it.
 *
 * <pre>
 * bind: 0.0.0.0
 * port: 8470
 * dataDir: /var/lib/dicom-relay-bridge   # relative paths are relative to this file
 * jdbcUrl: jdbc:h2:file:/var/lib/dicom-relay-bridge/bridge   # default: an H2 file in dataDir
 * adminTokenEnv: DICOM_RELAY_BRIDGE_ADMIN_TOKEN
 * notificationWait: 30s      # longest long poll of an inbox
 * visibilityTimeout: 60s     # a delivered, unacknowledged notification comes back after this
 * enrollmentTokenTtl: 24h
 * maxPayloadBytes: 65536     # largest notification
 * maxInboxMessages: 10000    # unacknowledged notifications per router
 * tls:                       # HTTPS; without this section: a certificate created in dataDir/tls at first start
 *   certificate: bridge.pem  # PEM: the server certificate, then its chain (with privateKey; relative to this file)
 *   privateKey: bridge.key   # PEM, unencrypted
 *   names: [bridge.example.org, 192.0.2.10]   # extra names of a self-created certificate
 *   enabled: false           # plain HTTP: only with a loopback bind address
 * directoryValidity: 24h     # a signed directory expires this long after it was issued
 * blobPartBytes: 8388608     # largest part of a blob upload (8 MiB)
 * blobQuotaBytes: 21474836480  # bytes of unconsumed blobs per sending router (20 GiB)
 * blobMaxAge: 7d             # a blob nobody consumed within this time is deleted
 * blobIdleTimeout: 60s       # a blob read while uploaded fails when no part arrives for this long
 * inboxPerSender: 2500       # of those, from one sending router (beyond: 429 for that sender only)
 * console: {bind: 127.0.0.1, port: 8471}   # the web console (none without this section); HTTPS when the Bridge is
 * </pre>
 *
 * @param dataDir where the Bridge keeps its signing keyset (and its H2 database unless jdbcUrl says otherwise)
 * @param jdbcUrl null for an H2 file database in dataDir
 */
public record BridgeConfig(
        String bind,
        int port,
        Path dataDir,
        String jdbcUrl,
        String adminToken,
        Duration notificationWait,
        Duration visibilityTimeout,
        Duration enrollmentTokenTtl,
        int maxPayloadBytes,
        int maxInboxMessages,
        BridgeTls tls,
        Duration directoryValidity,
        int blobPartBytes,
        long blobQuotaBytes,
        Duration blobMaxAge,
        int inboxPerSender,
        Duration blobIdleTimeout,
        BridgeConsoleListener console) {

    public static final String ADMIN_TOKEN_ENV = "DICOM_RELAY_BRIDGE_ADMIN_TOKEN";
    public static final int DEFAULT_PORT = 8470;
    /** Upper bound of {@link #maxPayloadBytes} (the database column holds its base64 form). */
    public static final int PAYLOAD_LIMIT = 256 * 1024;
    static final int MIN_ADMIN_TOKEN_LENGTH = 16;

    private static final Set<String> KEYS = Set.of("bind", "port", "dataDir", "jdbcUrl", "adminToken", "adminTokenEnv",
            "notificationWait", "visibilityTimeout", "enrollmentTokenTtl", "maxPayloadBytes", "maxInboxMessages", "tls",
            "directoryValidity", "blobPartBytes", "blobQuotaBytes", "blobMaxAge",
            "inboxPerSender", "blobIdleTimeout", "console");
    private static final Set<String> CONSOLE_KEYS = Set.of("bind", "port");
    private static final Set<String> TLS_KEYS = Set.of("enabled", "certificate", "privateKey", "names");

    public BridgeConfig {
        if (bind == null || bind.isBlank()) throw new IllegalArgumentException("bind address is missing");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0-65535");
        if (dataDir == null) throw new IllegalArgumentException("dataDir is missing");
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:")) throw new IllegalArgumentException("jdbcUrl must start with jdbc:");
        if (adminToken == null || adminToken.isBlank()) {
            throw new IllegalArgumentException("admin token is missing: set adminToken in the configuration or the environment variable " + ADMIN_TOKEN_ENV);
        }
        if (adminToken.length() < MIN_ADMIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("admin token must have at least " + MIN_ADMIN_TOKEN_LENGTH + " characters");
        }
        requirePositive("notificationWait", notificationWait);
        if (notificationWait.compareTo(Duration.ofMinutes(10)) > 0) throw new IllegalArgumentException("notificationWait must be at most 10 minutes");
        requirePositive("visibilityTimeout", visibilityTimeout);
        requirePositive("enrollmentTokenTtl", enrollmentTokenTtl);
        if (maxPayloadBytes < 1 || maxPayloadBytes > PAYLOAD_LIMIT) throw new IllegalArgumentException("maxPayloadBytes must be 1-" + PAYLOAD_LIMIT);
        if (maxInboxMessages < 1) throw new IllegalArgumentException("maxInboxMessages must be at least 1");
        if (tls == null) throw new IllegalArgumentException("tls settings are missing");
        if (!tls.enabled() && !LoopbackHost.is(bind)) {
            throw new IllegalArgumentException("plain HTTP (tls: {enabled: false}) is allowed only on a loopback address, not on " + bind
                    + ": API keys and tokens would cross the network in clear text; remove 'enabled: false' to serve HTTPS");
        }
        requirePositive("directoryValidity", directoryValidity);
        if (blobPartBytes < 1024) throw new IllegalArgumentException("blobPartBytes must be at least 1024");
        if (blobQuotaBytes < 1) throw new IllegalArgumentException("blobQuotaBytes must be at least 1");
        requirePositive("blobMaxAge", blobMaxAge);
        requirePositive("blobIdleTimeout", blobIdleTimeout);
        if (inboxPerSender < 1) throw new IllegalArgumentException("inboxPerSender must be at least 1");
    }

    /** The JDBC URL in use: {@link #jdbcUrl()} or an H2 file database in {@link #dataDir()}. */
    public String effectiveJdbcUrl() {
        return jdbcUrl != null ? jdbcUrl : "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("bridge");
    }

    /** Reads a YAML configuration; the admin token may come from the environment. */
    public static BridgeConfig load(Path yaml) throws IOException {
        return load(yaml, System.getenv());
    }

    static BridgeConfig load(Path yaml, Map<String, String> env) throws IOException {
        JsonNode root = new YAMLMapper().readTree(yaml.toFile());
        if (root == null || root.isMissingNode() || root.isNull()) root = new YAMLMapper().createObjectNode();
        if (!root.isObject()) throw new IOException(yaml + ": expected a mapping of settings");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) throw new IOException(yaml + ": unknown setting '" + key + "'; known: " + String.join(", ", KEYS));
        }
        Path base = yaml.toAbsolutePath().getParent();
        Builder b = builder();
        try {
            if (root.has("bind")) b.bind(root.get("bind").asText());
            if (root.has("port")) b.port(intValue(root, "port"));
            if (root.has("dataDir")) b.dataDir(base.resolve(root.get("dataDir").asText()));
            else b.dataDir(base.resolve("bridge-data"));
            if (root.has("jdbcUrl")) b.jdbcUrl(root.get("jdbcUrl").asText());
            String token = root.hasNonNull("adminToken") ? root.get("adminToken").asText() : null;
            if (token == null) {
                String var = root.hasNonNull("adminTokenEnv") ? root.get("adminTokenEnv").asText() : ADMIN_TOKEN_ENV;
                token = env.get(var);
            }
            b.adminToken(token);
            if (root.has("notificationWait")) b.notificationWait(parseDuration(root.get("notificationWait").asText()));
            if (root.has("visibilityTimeout")) b.visibilityTimeout(parseDuration(root.get("visibilityTimeout").asText()));
            if (root.has("enrollmentTokenTtl")) b.enrollmentTokenTtl(parseDuration(root.get("enrollmentTokenTtl").asText()));
            if (root.has("maxPayloadBytes")) b.maxPayloadBytes(intValue(root, "maxPayloadBytes"));
            if (root.has("maxInboxMessages")) b.maxInboxMessages(intValue(root, "maxInboxMessages"));
            if (root.has("tls")) b.tls(tls(root.get("tls"), base, yaml));
            if (root.has("directoryValidity")) b.directoryValidity(parseDuration(root.get("directoryValidity").asText()));
            if (root.has("blobPartBytes")) b.blobPartBytes(intValue(root, "blobPartBytes"));
            if (root.has("blobQuotaBytes")) b.blobQuotaBytes(longValue(root, "blobQuotaBytes"));
            if (root.has("blobMaxAge")) b.blobMaxAge(parseDuration(root.get("blobMaxAge").asText()));
            if (root.has("blobIdleTimeout")) b.blobIdleTimeout(parseDuration(root.get("blobIdleTimeout").asText()));
            if (root.has("inboxPerSender")) b.inboxPerSender(intValue(root, "inboxPerSender"));
            if (root.has("console")) b.console(console(root.get("console"), yaml));
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IOException(yaml + ": " + e.getMessage(), e);
        }
    }

    private static BridgeConsoleListener console(JsonNode c, Path yaml) throws IOException {
        if (!c.isObject()) throw new IOException(yaml + ": console must be a mapping (bind, port)");
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!CONSOLE_KEYS.contains(key)) throw new IOException(yaml + ": unknown setting 'console." + key + "'; known: bind, port");
        }
        return new BridgeConsoleListener(c.hasNonNull("bind") ? c.get("bind").asText() : null,
                c.has("port") ? intValue(c, "port") : BridgeConsoleListener.DEFAULT_PORT);
    }

    /**
     * The data folder a bridge.yaml names, without the rest of the configuration (the console's
     * accounts live there, and managing them needs no admin token).
     */
    public static Path dataDirOf(Path yaml) throws IOException {
        JsonNode root = new YAMLMapper().readTree(yaml.toFile());
        Path base = yaml.toAbsolutePath().getParent();
        return root != null && root.hasNonNull("dataDir") ? base.resolve(root.get("dataDir").asText()) : base.resolve("bridge-data");
    }

    private static BridgeTls tls(JsonNode t, Path base, Path yaml) throws IOException {
        if (!t.isObject()) throw new IOException(yaml + ": tls must be a mapping (certificate, privateKey, names, enabled)");
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TLS_KEYS.contains(key)) throw new IOException(yaml + ": unknown setting 'tls." + key + "'; known: " + String.join(", ", TLS_KEYS));
        }
        JsonNode enabled = t.get("enabled");
        if (enabled != null && !enabled.isBoolean()) throw new IllegalArgumentException("tls.enabled must be true or false");
        List<String> names = new ArrayList<>();
        JsonNode n = t.get("names");
        if (n != null) {
            if (!n.isArray()) throw new IllegalArgumentException("tls.names must be a list");
            for (JsonNode name : n) names.add(name.asText());
        }
        Path cert = t.hasNonNull("certificate") ? base.resolve(t.get("certificate").asText()) : null;
        Path key = t.hasNonNull("privateKey") ? base.resolve(t.get("privateKey").asText()) : null;
        return new BridgeTls(enabled == null || enabled.asBoolean(), cert, key, names);
    }

    private static int intValue(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (!n.canConvertToInt() || !n.isIntegralNumber()) throw new IllegalArgumentException(key + " must be a whole number");
        return n.asInt();
    }

    private static long longValue(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (!n.canConvertToLong() || !n.isIntegralNumber()) throw new IllegalArgumentException(key + " must be a whole number");
        return n.asLong();
    }

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    /** "500ms", "30s", "5m", "24h", "7d", a bare number of seconds, or ISO-8601 ("PT30S"). */
    static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE_DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 500ms, 30s, 5m, 24h, 7d)");
        }
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
    }

    /** Without the admin token, and with any password in the JDBC URL masked. */
    @Override
    public String toString() {
        String url = effectiveJdbcUrl().replaceAll("(?i)(password=)[^;&]*", "$1***");
        return "BridgeConfig[bind=" + bind + ", port=" + port + ", dataDir=" + dataDir + ", jdbcUrl=" + url
                + ", adminToken=(hidden), notificationWait=" + notificationWait + ", visibilityTimeout=" + visibilityTimeout
                + ", enrollmentTokenTtl=" + enrollmentTokenTtl + ", maxPayloadBytes=" + maxPayloadBytes
                + ", maxInboxMessages=" + maxInboxMessages + ", tls=" + tlsText() + ", directoryValidity=" + directoryValidity
                + ", blobPartBytes=" + blobPartBytes + ", blobQuotaBytes=" + blobQuotaBytes + ", blobMaxAge=" + blobMaxAge
                + ", inboxPerSender=" + inboxPerSender + ", blobIdleTimeout=" + blobIdleTimeout
                + ", console=" + (console == null ? "none" : console.bind() + ":" + console.port()) + "]";
    }

    private String tlsText() {
        if (!tls.enabled()) return "off (plain HTTP)";
        return tls.selfCreated() ? "self-created certificate" + (tls.names().isEmpty() ? "" : " with names " + tls.names())
                : "certificate " + tls.certificate() + ", key " + tls.privateKey();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts from the defaults: 127.0.0.1:8470, ./bridge-data, 30 s long polls, 60 s visibility, 24 h tokens, 64 KiB payloads,
     * HTTPS with a self-created certificate, blobs in parts of 8 MiB, 20 GiB of unconsumed blobs per sender, kept 7 days.
     */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private Path dataDir = Path.of("bridge-data");
        private String jdbcUrl;
        private String adminToken;
        private Duration notificationWait = Duration.ofSeconds(30);
        private Duration visibilityTimeout = Duration.ofSeconds(60);
        private Duration enrollmentTokenTtl = Duration.ofHours(24);
        private int maxPayloadBytes = 64 * 1024;
        private int maxInboxMessages = 10_000;
        private BridgeTls tls = BridgeTls.selfSigned(List.of());
        private Duration directoryValidity = Duration.ofHours(24);
        private int blobPartBytes = 8 * 1024 * 1024;
        private long blobQuotaBytes = 20L * 1024 * 1024 * 1024;
        private Duration blobMaxAge = Duration.ofDays(7);
        private Duration blobIdleTimeout = Duration.ofSeconds(60);
        /** A quarter of the inbox: one flooding router leaves room for the others. */
        private int inboxPerSender = 2_500;
        private BridgeConsoleListener console;

        private Builder() {}

        public Builder bind(String v) { bind = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder jdbcUrl(String v) { jdbcUrl = v; return this; }
        public Builder adminToken(String v) { adminToken = v; return this; }
        public Builder notificationWait(Duration v) { notificationWait = v; return this; }
        public Builder visibilityTimeout(Duration v) { visibilityTimeout = v; return this; }
        public Builder enrollmentTokenTtl(Duration v) { enrollmentTokenTtl = v; return this; }
        public Builder maxPayloadBytes(int v) { maxPayloadBytes = v; return this; }
        public Builder maxInboxMessages(int v) { maxInboxMessages = v; return this; }
        public Builder tls(BridgeTls v) { tls = v; return this; }
        public Builder directoryValidity(Duration v) { directoryValidity = v; return this; }
        public Builder blobPartBytes(int v) { blobPartBytes = v; return this; }
        public Builder blobQuotaBytes(long v) { blobQuotaBytes = v; return this; }
        public Builder blobMaxAge(Duration v) { blobMaxAge = v; return this; }
        public Builder blobIdleTimeout(Duration v) { blobIdleTimeout = v; return this; }

        public Builder inboxPerSender(int v) { inboxPerSender = v; return this; }
        /** The web console's listener (null: no console). */
        public Builder console(BridgeConsoleListener v) { console = v; return this; }

        public BridgeConfig build() {
            return new BridgeConfig(bind, port, dataDir, jdbcUrl, adminToken, notificationWait, visibilityTimeout,
                    enrollmentTokenTtl, maxPayloadBytes, maxInboxMessages, tls, directoryValidity, blobPartBytes, blobQuotaBytes, blobMaxAge,
                    inboxPerSender, blobIdleTimeout, console);
        }
    }
}
