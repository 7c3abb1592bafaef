package org.dicomrelay.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.relay.bridge.Directory;
import org.dicomrelay.relay.bridge.DirectoryVerificationException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Refuses a directory older than the newest this router accepted (the version is kept in
 * {@value #FILE}, so a restart does not reopen the door) or past its expiry: a replayed directory
 * cannot undo a revocation or a key rotation.
 */
final class DirectoryFreshness {
    static final String FILE = "directory-version.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private long highest;

    private DirectoryFreshness(Path file, long highest) {
        this.file = file;
        this.highest = highest;
    }

    static DirectoryFreshness load(Path state) throws IOException {
        Path f = state.resolve(FILE);
        long v = -1;
        if (Files.exists(f)) {
            JsonNode n = JSON.readTree(f.toFile());
            if (n == null || !n.path("version").canConvertToLong()) throw new IOException(f + ": no directory version in it");
            v = n.get("version").asLong();
        }
        return new DirectoryFreshness(f, v);
    }

    /** @throws DirectoryVerificationException if {@code d} is older than one accepted before, or expired at {@code now} */
    void check(Directory d, Instant now) throws DirectoryVerificationException {
        if (d.version() < highest) {
            throw new DirectoryVerificationException("the Bridge served directory version " + d.version() + ", older than version " + highest
                    + " accepted before (a replayed directory?); refused");
        }
        if (!now.isBefore(d.expiresAt())) {
            throw new DirectoryVerificationException("the Bridge served a directory that expired at " + d.expiresAt() + " (issued at "
                    + d.issuedAt() + ", version " + d.version() + "; a replayed directory, or the clocks disagree); refused");
        }
    }

    void accepted(Directory d) throws IOException {
        if (d.version() <= highest) return;
        highest = d.version();
        OwnerOnly.replace(file, JSON.writeValueAsBytes(JSON.createObjectNode().put("version", highest)));
    }

    long highest() {
        return highest;
    }
}
