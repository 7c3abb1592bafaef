package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.router.link.PayloadCodec;

import java.util.Map;

/**
 * Compression of the objects this router sends (router.yaml {@code compression}; the sending side
 * chooses, the receiving router reads the codec from the frame): a codec per remote AE title
 * ({@code remoteAes}), else per destination router ({@code routers}), else the router's
 * {@code default} ({@code none} unless set). The instances this router sends back for another
 * router's C-MOVE/C-GET follow {@code routers}, else the default. Applied to uncompressed transfer
 * syntaxes only ({@link PayloadCodec#forSyntax}).
 */
public record Compression(@JsonProperty("default") PayloadCodec defaultCodec,
                          @JsonProperty("routers") Map<String, PayloadCodec> routers,
                          @JsonProperty("remoteAes") Map<String, PayloadCodec> remoteAes) {
    public static final Compression NONE = new Compression(null, null, null);

    public Compression {
        if (defaultCodec == null) defaultCodec = PayloadCodec.NONE;
        routers = checked(routers, "routers");
        remoteAes = checked(remoteAes, "remoteAes");
    }

    /** Every route with the same codec. */
    public static Compression everywhere(PayloadCodec codec) {
        return new Compression(codec, null, null);
    }

    private static Map<String, PayloadCodec> checked(Map<String, PayloadCodec> m, String name) {
        if (m == null) return Map.of();
        m.forEach((key, codec) -> {
            if (codec == null) throw new IllegalArgumentException("compression." + name + "." + key + " names no codec");
        });
        return Map.copyOf(m);
    }

    /** The codec for what goes to router {@code routerId} other than to one of its AEs: the instances of its C-MOVE/C-GET. */
    public PayloadCodec of(String routerId) {
        PayloadCodec c = routers.get(routerId);
        return c != null ? c : defaultCodec;
    }

    /** The codec of the route to {@code remoteAe} owned by router {@code routerId}. */
    public PayloadCodec of(String routerId, String remoteAe) {
        PayloadCodec c = remoteAes.get(remoteAe);
        if (c == null) c = routers.get(routerId);
        return c != null ? c : defaultCodec;
    }
}
