package org.dicomrelay.router;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * An operator's change to a spool: {@code retry} (pending entries: try now), {@code resubmit}
 * (dead letters back to pending, attempts reset) or {@code discard} (explicit, recorded in
 * {@code discarded.log}), for the entries one {@link Selector} picks; {@code by} names the operator.
 */
public record SpoolRequest(@JsonProperty("action") Action action, @JsonProperty("selector") Selector selector, @JsonProperty("by") String by) {

    public enum Action {
        RETRY, RESUBMIT, DISCARD;

        @JsonValue public String text() { return name().toLowerCase(Locale.ROOT); }

        @JsonCreator public static Action parse(String s) { return valueOf(s.toUpperCase(Locale.ROOT)); }
    }

    /** Exactly one of: one entry, a study, a destination (called AE), or every entry. */
    public record Selector(@JsonProperty("id") String id, @JsonProperty("study") String study,
                           @JsonProperty("destination") String destination, @JsonProperty("all") boolean all) {
        public Selector {
            int given = (id != null ? 1 : 0) + (study != null ? 1 : 0) + (destination != null ? 1 : 0) + (all ? 1 : 0);
            if (given != 1) throw new IllegalArgumentException("choose exactly one of --id, --study, --destination or --all");
        }

        public static Selector entry(String id) { return new Selector(id, null, null, false); }

        public static Selector study(String studyInstanceUid) { return new Selector(null, studyInstanceUid, null, false); }

        public static Selector destination(String calledAe) { return new Selector(null, null, calledAe, false); }

        public static Selector everything() { return new Selector(null, null, null, true); }

        boolean matches(SpoolEntry e) {
            if (all) return true;
            if (id != null) return id.equals(e.id());
            if (study != null) return study.equals(e.studyInstanceUid());
            return destination.equals(e.calledAe());
        }

        @Override public String toString() {
            return all ? "all entries" : id != null ? "entry " + id : study != null ? "study " + study : "destination " + destination;
        }
    }

    public SpoolRequest {
        if (action == null || selector == null) throw new IllegalArgumentException("a spool request needs an action and a selector");
        if (by == null || by.isBlank()) by = "unknown operator";
    }
}
