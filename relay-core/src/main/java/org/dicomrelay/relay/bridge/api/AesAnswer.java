package org.dicomrelay.relay.bridge.api;

import java.util.List;
import org.dicomrelay.relay.bridge.AeExport;

/**
 * The answer to {@code PUT /api/router/aes} (whose body is the array of {@link AeExport}
 * {@code {"aeTitle", "services"}}): the AE titles the router now exports.
 */
public record AesAnswer(List<AeExport> aes) {}
