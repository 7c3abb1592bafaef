package org.dicomrelay.relay.bridge;

import java.util.List;

/** One AE title this router exports and the services it allows, as published to the Bridge. */
public record AeExport(String aeTitle, List<String> services) {
    public AeExport {
        AeRecord.requireValidAeTitle(aeTitle);
        services = AeRecord.normalizeServices(services);
    }
}
