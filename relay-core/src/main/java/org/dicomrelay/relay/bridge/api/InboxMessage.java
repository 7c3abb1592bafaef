package org.dicomrelay.relay.bridge.api;

/**
 * One notification of a poll's answer ({@code GET /api/router/inbox}, a JSON array of these): its
 * delivery ID (acknowledge with it) and the sealed payload in base64.
 */
public record InboxMessage(String id, String payload) {}
