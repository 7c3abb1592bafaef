package org.dicomrelay.relay.bridge.api;

import java.util.Map;

/** The provider now assigned to a router, as the Bridge stored it (settings as text). */
public record ProviderAnswer(String routerId, String name, Map<String, String> settings) {}
