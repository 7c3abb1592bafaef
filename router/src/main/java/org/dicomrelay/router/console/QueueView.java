package org.dicomrelay.router.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.router.Spool;
import org.dicomrelay.router.SpoolEntry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The queue page's data: the spool's entries per destination, pending and dead-lettered, with
 * the remote status and reason of the last attempt. At most {@link #MAX_LISTED} entries are
 * listed (the counts are complete): a spool of a million objects is acted on by destination.
 */
record QueueView(@JsonProperty("total") int total, @JsonProperty("listed") int listed,
                 @JsonProperty("destinations") List<Destination> destinations) {
    static final int MAX_LISTED = 500;

    record Destination(@JsonProperty("destination") String destination, @JsonProperty("pending") int pending,
                       @JsonProperty("deadLetter") int deadLetter, @JsonProperty("entries") List<Entry> entries) {}

    record Entry(@JsonProperty("id") String id, @JsonProperty("callingAe") String callingAe, @JsonProperty("sopInstanceUid") String sopInstanceUid,
                 @JsonProperty("studyInstanceUid") String studyInstanceUid, @JsonProperty("state") String state,
                 @JsonProperty("attempts") int attempts, @JsonProperty("lastStatus") String lastStatus,
                 @JsonProperty("reason") String reason, @JsonProperty("nextAttemptAt") String nextAttemptAt) {
        static Entry of(SpoolEntry e) {
            return new Entry(e.id(), e.callingAe(), e.sopInstanceUid(), e.studyInstanceUid(), e.state().text(), e.attempts(),
                    e.lastStatus() == null ? null : String.format("%04XH %s", e.lastStatus(), e.lastStatusMeaning()), e.lastReason(),
                    e.nextAttemptAt() == null ? null : e.nextAttemptAt().toString());
        }
    }

    static QueueView of(Path stateDir) throws IOException {
        List<SpoolEntry> all = Spool.of(stateDir).entries();
        Map<String, List<SpoolEntry>> by = new TreeMap<>();
        for (SpoolEntry e : all) by.computeIfAbsent(e.calledAe(), k -> new ArrayList<>()).add(e);
        List<Destination> out = new ArrayList<>();
        int listed = 0;
        for (var d : by.entrySet()) {
            int dead = (int) d.getValue().stream().filter(SpoolEntry::deadLettered).count();
            List<Entry> entries = new ArrayList<>();
            for (SpoolEntry e : d.getValue()) {
                if (listed >= MAX_LISTED) break;
                entries.add(Entry.of(e));
                listed++;
            }
            out.add(new Destination(d.getKey(), d.getValue().size() - dead, dead, entries));
        }
        return new QueueView(all.size(), listed, out);
    }
}
