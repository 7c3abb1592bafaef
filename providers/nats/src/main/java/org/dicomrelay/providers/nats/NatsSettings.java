package org.dicomrelay.providers.nats;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The settings of Cloud IO notifications on NATS JetStream, under {@code nats.}: {@code nats.url}
 * (default nats://127.0.0.1:4222; several, comma-separated; {@code tls://} for TLS),
 * {@code nats.stream} (default DICOMRELAY_INBOX), {@code nats.subjectPrefix} (default
 * dicomrelay.inbox), {@code nats.visibilitySeconds} (the consumer's AckWait, default 60),
 * {@code nats.create} (default true: a router creates the stream and its own consumer),
 * {@code nats.tls} (true: TLS with the JVM's trust store), {@code nats.caFile} (PEM; implies TLS).
 * Credentials, from router.yaml or else the environment ({@code NATS_USER}, {@code NATS_PASSWORD},
 * {@code NATS_TOKEN}, {@code NATS_NKEY_SEED}, {@code NATS_CREDS}): {@code nats.user} +
 * {@code nats.password}, {@code nats.token}, {@code nats.nkeySeed} or {@code nats.credsFile}.
 */
public record NatsSettings(List<String> servers, String stream, String subjectPrefix, Duration visibilityTimeout, boolean create,
                           boolean tls, Path caFile, NatsCredentials credentials) {
    public static final String URL = "nats.url";
    public static final String STREAM = "nats.stream";
    public static final String SUBJECT_PREFIX = "nats.subjectPrefix";
    public static final String VISIBILITY_SECONDS = "nats.visibilitySeconds";
    public static final String CREATE = "nats.create";
    public static final String TLS = "nats.tls";
    public static final String CA_FILE = "nats.caFile";

    public static final String DEFAULT_URL = "nats://127.0.0.1:4222";
    public static final String DEFAULT_STREAM = "DICOMRELAY_INBOX";
    public static final String DEFAULT_SUBJECT_PREFIX = "dicomrelay.inbox";

    public NatsSettings {
        if (servers.isEmpty()) throw new IllegalArgumentException("setting '" + URL + "' names no server");
        if (!stream.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("setting '" + STREAM + "' must be 1 to 64 of [A-Za-z0-9_-], not '" + stream + "'");
        }
        if (!subjectPrefix.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
            throw new IllegalArgumentException("setting '" + SUBJECT_PREFIX + "' must be dot-separated tokens of [A-Za-z0-9_-], not '" + subjectPrefix + "'");
        }
        long v = visibilityTimeout.toSeconds();
        if (v < 1 || v > 43_200) throw new IllegalArgumentException("setting '" + VISIBILITY_SECONDS + "' must be 1 to 43200");
        servers = List.copyOf(servers);
    }

    /** From a router's Cloud IO settings; credentials not set there come from {@code env} (the process environment). */
    public static NatsSettings of(Map<String, String> s, UnaryOperator<String> env) {
        String url = blankToNull(s.get(URL));
        List<String> servers = java.util.Arrays.stream((url == null ? DEFAULT_URL : url).split(",")).map(String::trim).filter(u -> !u.isEmpty()).toList();
        String ca = blankToNull(s.get(CA_FILE));
        return new NatsSettings(servers, s.getOrDefault(STREAM, DEFAULT_STREAM).trim(), s.getOrDefault(SUBJECT_PREFIX, DEFAULT_SUBJECT_PREFIX).trim(),
                Duration.ofSeconds(intOf(s, VISIBILITY_SECONDS, 60)), bool(s, CREATE, true), bool(s, TLS, false) || ca != null,
                ca == null ? null : Path.of(ca), NatsCredentials.of(s, env));
    }

    /** The subject of a router's inbox: router IDs only, never anything about the traffic. */
    public String subject(String routerId) {
        return subjectPrefix + "." + SubjectTokens.of(routerId);
    }

    /** The durable pull consumer that reads a router's inbox. */
    public String consumer(String routerId) {
        return "inbox-" + SubjectTokens.of(routerId);
    }

    /** The stream's subjects: every router's inbox. */
    public String streamSubjects() {
        return subjectPrefix + ".>";
    }

    static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static boolean bool(Map<String, String> s, String key, boolean fallback) {
        String v = blankToNull(s.get(key));
        if (v == null) return fallback;
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) return Boolean.parseBoolean(v);
        throw new IllegalArgumentException("Cloud IO setting '" + key + "' must be true or false, not '" + v + "'");
    }

    private static int intOf(Map<String, String> s, String key, int fallback) {
        String v = blankToNull(s.get(key));
        if (v == null) return fallback;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cloud IO setting '" + key + "' must be a whole number, not '" + v + "'");
        }
    }

    /** Never a secret: the servers without any user:password in their URLs, and the kind of credentials. */
    @Override
    public String toString() {
        return "NatsSettings[servers=" + servers.stream().map(NatsSettings::redacted).toList() + ", stream=" + stream + ", subjectPrefix=" + subjectPrefix
                + ", visibilityTimeout=" + visibilityTimeout + ", create=" + create + ", tls=" + tls + ", credentials=" + credentials + "]";
    }

    /** A server URL fit for a log line: user information removed. */
    static String redacted(String url) {
        return url.replaceFirst("^([a-zA-Z]+://)[^@/]*@", "$1");
    }
}
