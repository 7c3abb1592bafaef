package org.dicomrelay.relay.bridge;

import java.util.List;

/**
 * One cell of the Bridge's access matrix: router {@code routerId} may use {@code services} of the
 * AE title {@code aeTitle}, which router {@code ownerRouterId} owns. The Bridge signs
 * {@link #signedBytes()}, owner included, so that a grant can't be moved to another router's AE.
 *
 * @param services sorted, from {@link AeRecord#SERVICES}
 */
public record AccessGrant(String routerId, String aeTitle, String ownerRouterId, List<String> services) {

    private static final String DOMAIN = "dicom-relay/bridge/access-grant/v1";

    public AccessGrant {
        RouterRecord.requireValidRouterId(routerId);
        AeRecord.requireValidAeTitle(aeTitle);
        RouterRecord.requireValidRouterId(ownerRouterId);
        services = AeRecord.normalizeServices(services);
    }

    /** The exact bytes the Bridge signs for this grant. */
    public byte[] signedBytes() {
        return SignedRecords.encode(DOMAIN, SignedRecords.utf8(routerId), SignedRecords.utf8(aeTitle), SignedRecords.utf8(ownerRouterId),
                SignedRecords.utf8(String.join(",", services)));
    }
}
