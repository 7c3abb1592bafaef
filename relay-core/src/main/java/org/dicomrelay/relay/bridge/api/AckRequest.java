package org.dicomrelay.relay.bridge.api;

import java.util.List;

/** {@code POST /api/router/inbox-acks}: delivery IDs to acknowledge in one request. */
public record AckRequest(List<String> ids) {}
