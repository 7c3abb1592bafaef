package org.dicomrelay.relay.bridge;

import java.util.List;
import java.util.Optional;

/**
 * The Bridge directory as a router sees it, every record's Bridge signature already checked by
 * {@link BridgeClient#directory()}.
 *
 * @param version changes whenever the directory changes
 * @param rejected records left out because they failed verification (one line each, saying which and why)
 * @param access the grants of the access matrix this router is party to (as requester or owner)
 */
public record Directory(long version, List<Router> routers, List<AeRecord> aes, List<String> rejected, AccessGrants access) {

    public Directory {
        routers = List.copyOf(routers);
        aes = List.copyOf(aes);
        rejected = List.copyOf(rejected);
        if (access == null) access = AccessGrants.NONE;
    }

    public Directory(long version, List<Router> routers, List<AeRecord> aes) {
        this(version, routers, aes, List.of(), AccessGrants.NONE);
    }

    /** A router's vouched-for keys and the name of the Cloud IO provider it uses (null if none assigned). */
    public record Router(RouterRecord record, String provider) {
        public String routerId() {
            return record.routerId();
        }
    }

    public Optional<Router> router(String routerId) {
        return routers.stream().filter(r -> r.routerId().equals(routerId)).findFirst();
    }

    public Optional<AeRecord> ae(String aeTitle) {
        return aes.stream().filter(a -> a.aeTitle().equals(aeTitle)).findFirst();
    }
}
