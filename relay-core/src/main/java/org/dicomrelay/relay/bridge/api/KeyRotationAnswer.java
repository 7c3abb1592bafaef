package org.dicomrelay.relay.bridge.api;

/** The answer to a key rotation: the router and the fingerprint of the keys the Bridge now publishes for it. */
public record KeyRotationAnswer(String routerId, String fingerprint) {}
