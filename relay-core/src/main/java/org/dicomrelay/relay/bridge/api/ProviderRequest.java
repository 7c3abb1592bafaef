package org.dicomrelay.relay.bridge.api;

import java.util.Map;

/**
 * {@code PUT /api/admin/routers/{id}/provider}: a Cloud IO provider and its non-secret settings,
 * each a string, number or boolean (the Bridge stores their text).
 */
public record ProviderRequest(String name, Map<String, Object> settings) {}
