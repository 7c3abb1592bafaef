package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.relay.crypto.SessionPolicy;

import java.time.Duration;

/**
 * The link to other routers (router.yaml {@code link}).
 *
 * <p>How old a message may be: a frame sent more than {@code maxMessageAgeMinutes} ago (default
 * 10) or dated more than {@code maxClockSkewMinutes} ahead of this router's clock (default 2) is
 * refused as a possible replay.
 *
 * <p>Link sessions: this router's session key pair rotates every {@code sessionKeyRotationHours}
 * (default 24; each is usable for two periods, its private half deleted after that plus the
 * in-flight time); the session it sends in to a peer is replaced after
 * {@code sessionMaxAgeMinutes} (default 60), {@code sessionMaxBytes} (default 1 GiB) or
 * {@code sessionMaxMessages} (default 100,000), whichever comes first.
 *
 * <p>The pipeline to each destination: up to {@code window} spooled objects (default 256; and no
 * further one once 256 MiB are in flight) are in flight per destination AE at once, each sent
 * without waiting for the answers to the others;
 * the STORE answers this router owes another router that become ready while a send to it is in
 * progress go together when it ends (group commit), or, with {@code answerLingerMillis} above 0
 * (default 0), those ready within that time of each other; at most {@code answerBatchMax}
 * (default 64; 1: each answer alone) in one frame.
 *
 * <p>Bundles: C-STOREs of objects up to {@code bundleObjectMaxBytes} (default 1 MiB) to one router
 * and called AE travel together, one blob and one notification per bundle, sent when it holds
 * {@code bundleBytes} (default 4 MiB; 0: no bundles, each object alone) or {@code bundleLingerMillis}
 * (default 50: a modality sends one object every few milliseconds, and a bundle of one saves nothing;
 * 0: no wait beyond the objects already being appended) after its first object.
 */
public record Link(@JsonProperty("maxMessageAgeMinutes") Integer maxMessageAgeMinutes,
                   @JsonProperty("maxClockSkewMinutes") Integer maxClockSkewMinutes,
                   @JsonProperty("sessionKeyRotationHours") Integer sessionKeyRotationHours,
                   @JsonProperty("sessionMaxAgeMinutes") Integer sessionMaxAgeMinutes,
                   @JsonProperty("sessionMaxBytes") Long sessionMaxBytes,
                   @JsonProperty("sessionMaxMessages") Long sessionMaxMessages,
                   @JsonProperty("window") Integer window,
                   @JsonProperty("answerLingerMillis") Integer answerLingerMillis,
                   @JsonProperty("answerBatchMax") Integer answerBatchMax,
                   @JsonProperty("bundleObjectMaxBytes") Long bundleObjectMaxBytes,
                   @JsonProperty("bundleBytes") Long bundleBytes,
                   @JsonProperty("bundleLingerMillis") Integer bundleLingerMillis) {
    public static final Link DEFAULT = new Link(null, null, null, null, null, null);

    /** With the default bundles. */
    public Link(Integer maxMessageAgeMinutes, Integer maxClockSkewMinutes, Integer sessionKeyRotationHours, Integer sessionMaxAgeMinutes,
                Long sessionMaxBytes, Long sessionMaxMessages, Integer window, Integer answerLingerMillis, Integer answerBatchMax) {
        this(maxMessageAgeMinutes, maxClockSkewMinutes, sessionKeyRotationHours, sessionMaxAgeMinutes, sessionMaxBytes, sessionMaxMessages,
                window, answerLingerMillis, answerBatchMax, null, null, null);
    }

    /** With the default pipeline. */
    public Link(Integer maxMessageAgeMinutes, Integer maxClockSkewMinutes, Integer sessionKeyRotationHours, Integer sessionMaxAgeMinutes,
                Long sessionMaxBytes, Long sessionMaxMessages) {
        this(maxMessageAgeMinutes, maxClockSkewMinutes, sessionKeyRotationHours, sessionMaxAgeMinutes, sessionMaxBytes, sessionMaxMessages,
                null, null, null);
    }

    public Link {
        if (maxMessageAgeMinutes == null) maxMessageAgeMinutes = 10;
        if (maxClockSkewMinutes == null) maxClockSkewMinutes = 2;
        if (sessionKeyRotationHours == null) sessionKeyRotationHours = 24;
        if (sessionMaxAgeMinutes == null) sessionMaxAgeMinutes = 60;
        if (sessionMaxBytes == null) sessionMaxBytes = 1L << 30;
        if (sessionMaxMessages == null) sessionMaxMessages = 100_000L;
        if (window == null) window = 256;
        if (answerLingerMillis == null) answerLingerMillis = 0;
        if (answerBatchMax == null) answerBatchMax = 64;
        if (bundleObjectMaxBytes == null) bundleObjectMaxBytes = 1L << 20;
        if (bundleBytes == null) bundleBytes = 4L << 20;
        if (bundleLingerMillis == null) bundleLingerMillis = 50;
        if (bundleObjectMaxBytes < 0) throw new IllegalArgumentException("link.bundleObjectMaxBytes must not be negative");
        if (bundleBytes < 0) throw new IllegalArgumentException("link.bundleBytes must not be negative");
        if (bundleLingerMillis < 0 || bundleLingerMillis > 1000) throw new IllegalArgumentException("link.bundleLingerMillis must be 0 to 1000");
        if (window < 1) throw new IllegalArgumentException("link.window must be at least 1");
        if (answerLingerMillis < 0 || answerLingerMillis > 1000) throw new IllegalArgumentException("link.answerLingerMillis must be 0 to 1000");
        if (answerBatchMax < 1 || answerBatchMax > org.dicomrelay.router.link.LinkMessage.StoreRspBatch.MAX_ANSWERS) {
            throw new IllegalArgumentException("link.answerBatchMax must be 1 to " + org.dicomrelay.router.link.LinkMessage.StoreRspBatch.MAX_ANSWERS);
        }
        if (maxMessageAgeMinutes < 1) throw new IllegalArgumentException("link.maxMessageAgeMinutes must be at least 1");
        if (maxClockSkewMinutes < 0) throw new IllegalArgumentException("link.maxClockSkewMinutes must not be negative");
        if (sessionKeyRotationHours < 1) throw new IllegalArgumentException("link.sessionKeyRotationHours must be at least 1");
        if (sessionMaxAgeMinutes < 1) throw new IllegalArgumentException("link.sessionMaxAgeMinutes must be at least 1");
        if (sessionMaxAgeMinutes > sessionKeyRotationHours * 60) {
            throw new IllegalArgumentException("link.sessionMaxAgeMinutes must not exceed link.sessionKeyRotationHours");
        }
        if (sessionMaxBytes < 1) throw new IllegalArgumentException("link.sessionMaxBytes must be at least 1");
        if (sessionMaxMessages < 1) throw new IllegalArgumentException("link.sessionMaxMessages must be at least 1");
    }

    public Duration maxMessageAge() {
        return Duration.ofMinutes(maxMessageAgeMinutes);
    }

    public Duration maxClockSkew() {
        return Duration.ofMinutes(maxClockSkewMinutes);
    }

    /** Session rotation, with session keys kept as long as a message may be in flight (maximum age plus skew). */
    public SessionPolicy sessionPolicy() {
        return new SessionPolicy(Duration.ofMinutes(sessionMaxAgeMinutes), sessionMaxBytes, sessionMaxMessages,
                Duration.ofHours(sessionKeyRotationHours), maxMessageAge().plus(maxClockSkew()));
    }

    /** How long a bundle waits for more objects after its first. */
    public Duration bundleLinger() {
        return Duration.ofMillis(bundleLingerMillis);
    }

    /** How long a STORE answer may wait for others to the same router. */
    public Duration answerLinger() {
        return Duration.ofMillis(answerLingerMillis);
    }
}
