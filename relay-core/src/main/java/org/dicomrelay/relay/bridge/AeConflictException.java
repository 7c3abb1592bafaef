package org.dicomrelay.relay.bridge;

import java.util.List;

/** The Bridge refused to publish AE titles another router owns (HTTP 409); {@link #conflicts()} says which and whose. */
public final class AeConflictException extends BridgeException {
    private static final long serialVersionUID = 1L;

    /** An AE title this router wanted to export, and the router that owns it (null if the Bridge did not say). */
    public record Conflict(String aeTitle, String ownerRouterId) {}

    private final transient List<Conflict> conflicts;

    public AeConflictException(String message, List<Conflict> conflicts) {
        super(409, message);
        this.conflicts = List.copyOf(conflicts);
    }

    public List<Conflict> conflicts() {
        return conflicts;
    }
}
