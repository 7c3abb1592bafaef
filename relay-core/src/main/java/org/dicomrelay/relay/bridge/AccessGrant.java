package org.dicomrelay.relay.bridge;

import java.util.List;

/**
 * One cell of the Bridge's access matrix: router {@code routerId} may use {@code services} of the
 * AE title {@code aeTitle}, which router {@code ownerRouterId} owns (the owner is part of the grant,
 * so that it can't be read as one on another router's AE). Signed with the whole directory.
 *
 * @param services sorted, from {@link AeRecord#SERVICES}
 */
public record AccessGrant(String routerId, String aeTitle, String ownerRouterId, List<String> services) {

    public AccessGrant {
        RouterRecord.requireValidRouterId(routerId);
        AeRecord.requireValidAeTitle(aeTitle);
        RouterRecord.requireValidRouterId(ownerRouterId);
        services = AeRecord.normalizeServices(services);
    }
}
