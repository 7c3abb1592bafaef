package org.dicomrelay.providers.azure;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Block IDs that say when their upload started: {@code <epoch millis, 13 digits>-<block number, 6
 * digits>}, base64 (the service wants base64, of one length within a blob). Uncommitted blocks
 * have no time the service lists, so the sweep reads it from their IDs.
 */
final class BlockIds {
    /** Azure's most blocks per blob. */
    static final int MAX_BLOCKS = 50_000;

    private BlockIds() {}

    static String of(long startedMillis, int number) {
        return Base64.getEncoder().encodeToString(String.format("%013d-%06d", startedMillis, number).getBytes(StandardCharsets.US_ASCII));
    }

    /** When the upload that staged this block started; empty for a block some other writer named. */
    static Optional<Instant> started(String blockId) {
        try {
            String s = new String(Base64.getDecoder().decode(blockId), StandardCharsets.US_ASCII);
            if (!s.matches("\\d{13}-\\d{6}")) return Optional.empty();
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(s.substring(0, 13))));
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }
}
