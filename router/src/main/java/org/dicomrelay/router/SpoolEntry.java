package org.dicomrelay.router;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import org.dicomrelay.dicom.net.dimse.Status;

import java.time.Instant;

/**
 * The record of one acknowledged object in the spool: where it goes, what it is (SOP Instance
 * and Study Instance UIDs, for operators), its state, and what happened at the last attempt.
 * Records written before dead letters existed ({@code "failed"}, {@code lastError}) read as
 * dead letters. {@code retryingSince} starts the give-up window: the creation time until an
 * operator resubmits the entry (records without it count from {@code createdAt}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpoolEntry(@JsonProperty("id") String id,
                         @JsonProperty("calledAe") String calledAe,
                         @JsonProperty("callingAe") String callingAe,
                         @JsonProperty("sopClassUid") String sopClassUid,
                         @JsonProperty("sopInstanceUid") String sopInstanceUid,
                         @JsonProperty("studyInstanceUid") String studyInstanceUid,
                         @JsonProperty("transferSyntaxUid") String transferSyntaxUid,
                         @JsonProperty("bytes") long bytes,
                         @JsonProperty("attempts") int attempts,
                         @JsonProperty("state") State state,
                         @JsonProperty("lastStatus") Integer lastStatus,
                         @JsonProperty("lastReason") @JsonAlias("lastError") String lastReason,
                         @JsonProperty("createdAt") Instant createdAt,
                         @JsonProperty("nextAttemptAt") Instant nextAttemptAt,
                         @JsonProperty("retryingSince") Instant retryingSince) {

    /**
     * Where an entry stands: queued or being retried, set aside for an operator, or forwarded
     * while the modality waits for the remote status ({@code storeAck: remote}: the modality owns
     * the retry, so such a record is never delivered from the spool and goes at the next start).
     */
    public enum State {
        PENDING("pending"), DEAD_LETTER("dead-letter"), REMOTE_ACK("remote-ack");

        private final String text;

        State(String text) {
            this.text = text;
        }

        @JsonValue public String text() { return text; }

        @JsonCreator public static State parse(String s) {
            return switch (s) {
                case "pending" -> PENDING;
                case "remote-ack" -> REMOTE_ACK;
                case "dead-letter", "failed" -> DEAD_LETTER; // "failed": before dead letters, a refusal that was never retried
                default -> throw new IllegalArgumentException("unknown spool entry state '" + s + "'");
            };
        }

        @Override public String toString() { return text; }
    }

    public SpoolEntry {
        if (state == null) state = State.PENDING;
    }

    /** An entry whose give-up window starts at its creation. */
    public SpoolEntry(String id, String calledAe, String callingAe, String sopClassUid, String sopInstanceUid, String studyInstanceUid,
                      String transferSyntaxUid, long bytes, int attempts, State state, Integer lastStatus, String lastReason, Instant createdAt,
                      Instant nextAttemptAt) {
        this(id, calledAe, callingAe, sopClassUid, sopInstanceUid, studyInstanceUid, transferSyntaxUid, bytes, attempts, state, lastStatus, lastReason,
                createdAt, nextAttemptAt, null);
    }

    /** A new pending entry for an object just spooled. */
    static SpoolEntry received(String id, String calledAe, String callingAe, String cuid, String iuid, String studyUid, String tsuid,
                               long bytes, Instant now) {
        return received(id, calledAe, callingAe, cuid, iuid, studyUid, tsuid, bytes, now, State.PENDING);
    }

    /** A new entry for an object just spooled: pending, or {@link State#REMOTE_ACK} while the modality waits. */
    static SpoolEntry received(String id, String calledAe, String callingAe, String cuid, String iuid, String studyUid, String tsuid,
                               long bytes, Instant now, State state) {
        return new SpoolEntry(id, calledAe, callingAe, cuid, iuid, studyUid, tsuid, bytes, 0, state, null, null, now, null);
    }

    /** Since when failures count towards the policy's give-up time. */
    Instant retryWindowStart() {
        return retryingSince != null ? retryingSince : createdAt;
    }

    /** The standard's meaning of {@link #lastStatus} (PS3.4 Table B.2-1, PS3.7 Annex C), or null without one. */
    @JsonProperty(value = "lastStatusMeaning", access = JsonProperty.Access.READ_ONLY)
    public String lastStatusMeaning() {
        return lastStatus == null ? null : Status.of(lastStatus).meaning(org.dicomrelay.dicom.net.dimse.CommandField.C_STORE_RQ);
    }

    public boolean deadLettered() { return state == State.DEAD_LETTER; }

    /** After a failed attempt that will be retried at {@code next}. */
    SpoolEntry retrying(Integer status, String reason, Instant next) {
        return new SpoolEntry(id, calledAe, callingAe, sopClassUid, sopInstanceUid, studyInstanceUid, transferSyntaxUid, bytes, attempts + 1,
                State.PENDING, status, reason, createdAt, next, retryingSince);
    }

    /** Set aside for an operator; {@code attempted}: whether this follows an attempt of its own (counted). */
    SpoolEntry deadLettered(Integer status, String reason, boolean attempted) {
        return new SpoolEntry(id, calledAe, callingAe, sopClassUid, sopInstanceUid, studyInstanceUid, transferSyntaxUid, bytes,
                attempted ? attempts + 1 : attempts, State.DEAD_LETTER, status, reason, createdAt, null, retryingSince);
    }

    /**
     * Back to pending, by an operator at {@code now}: attempts and the give-up window start again
     * (else an old entry would be given up at its first failure); the last status stays as history.
     */
    SpoolEntry resubmitted(Instant now) {
        return new SpoolEntry(id, calledAe, callingAe, sopClassUid, sopInstanceUid, studyInstanceUid, transferSyntaxUid, bytes, 0,
                State.PENDING, lastStatus, lastReason, createdAt, null, now);
    }

    /** The same entry with its creation time known (records written before it was kept). */
    SpoolEntry withCreatedAt(Instant t) {
        return new SpoolEntry(id, calledAe, callingAe, sopClassUid, sopInstanceUid, studyInstanceUid, transferSyntaxUid, bytes, attempts,
                state, lastStatus, lastReason, t, nextAttemptAt, retryingSince);
    }
}
