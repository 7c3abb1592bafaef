package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Limits on the work other routers may give this one: at most {@code operationsPerPeer}
 * operations of one sending router run at once (default 8) in each of its lanes (C-ECHO/C-FIND;
 * C-MOVE/C-GET; C-STOREs per destination device; cancels; answers; retrieved instances), so that
 * interactive work never waits behind bulk data nor a dead device's C-STOREs behind another's; its
 * further frames wait in the lane's own queue, so that a hostile or busy peer can take neither
 * every thread nor every connection to a local device, and never delays the other routers. A data set payload larger than
 * {@code maxPayloadBytes} (default 4 GiB) is refused while it streams, and its request answered
 * with a permanent failure.
 */
public record Limits(@JsonProperty("operationsPerPeer") Integer operationsPerPeer,
                     @JsonProperty("maxPayloadBytes") Long maxPayloadBytes) {
    public static final Limits DEFAULT = new Limits(null, null);

    public Limits {
        if (operationsPerPeer == null) operationsPerPeer = 8;
        if (operationsPerPeer < 1) throw new IllegalArgumentException("limits.operationsPerPeer must be at least 1");
        if (maxPayloadBytes == null) maxPayloadBytes = 4L << 30;
        if (maxPayloadBytes < 1) throw new IllegalArgumentException("limits.maxPayloadBytes must be at least 1");
    }
}
