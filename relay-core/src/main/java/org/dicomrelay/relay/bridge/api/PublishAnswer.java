package org.dicomrelay.relay.bridge.api;

/** The answer to {@code POST /api/router/inbox/{recipient}}: the stored notification's ID. */
public record PublishAnswer(String id) {}
