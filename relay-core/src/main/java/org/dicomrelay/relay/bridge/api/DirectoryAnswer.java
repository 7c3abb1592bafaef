package org.dicomrelay.relay.bridge.api;

/**
 * {@code GET /api/router/directory}: a {@link DirectoryDocument} as JSON bytes in base64, and the
 * Bridge's signature over them (see {@link org.dicomrelay.relay.bridge.SignedDirectory}).
 */
public record DirectoryAnswer(String document, String signature) {}
