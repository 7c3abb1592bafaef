package org.dicomrelay.router;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-study timeline (issue 11): each hop counts the objects that passed with the first and
 * last time, the PACS's statuses (PS3.4 §B.2.3 C-STORE statuses) are counted per code, and only the
 * last {@link StudyTimelines#KEPT} studies are kept, whatever their size.
 */
class StudyTimelinesTest {
    private static final Instant T0 = Instant.parse("2026-12-05T07:00:00Z");
    private final StudyTimelines timelines = new StudyTimelines(Clock.fixed(T0, ZoneOffset.UTC));

    private static SpoolEntry entry(String study, String iuid) {
        return SpoolEntry.received("e-" + iuid, "PACS_B", "CT_A", "1.2.840.10008.5.1.4.1.1.2", iuid, study, "1.2.840.10008.1.2.1", 10, T0);
    }

    @Test void eachHopCountsItsObjectsWithTheFirstAndLastTimeAndThePacsStatuses() {
        for (int i = 0; i < 3; i++) {
            SpoolEntry e = entry("1.2.3", "1.2.3.4." + i);
            timelines.passed(e, "hospital-b", StudyTimelines.Hop.RECEIVED, T0.plusMillis(i * 100), null);
            timelines.passed(e, "hospital-b", StudyTimelines.Hop.STORED_AT_B, T0.plusMillis(1000 + i * 100), i == 2 ? 0xA700 : 0x0000);
            timelines.passed(e, "hospital-b", StudyTimelines.Hop.ANSWERED, T0.plusMillis(2000 + i * 100), i == 2 ? 0xA700 : 0x0000);
        }
        StudyTimelines.Timeline t = timelines.of("1.2.3").orElseThrow();
        assertThat(t.study().received()).isEqualTo(3);
        assertThat(t.study().answered()).isEqualTo(3);
        assertThat(t.study().failed()).isEqualTo(1);
        assertThat(t.study().remoteRouter()).isEqualTo("hospital-b");
        assertThat(t.hops()).extracting(StudyTimelines.HopView::hop)
                .containsExactly("RECEIVED", "SPOOLED", "SENT", "RECEIVED_AT_B", "STORED_AT_B", "ANSWERED");
        StudyTimelines.HopView received = t.hops().get(0);
        assertThat(received.count()).isEqualTo(3);
        assertThat(received.first()).isEqualTo("2026-12-05T07:00:00Z");
        assertThat(received.last()).isEqualTo("2026-12-05T07:00:00.200Z");
        assertThat(t.hops().get(1).count()).isZero();
        StudyTimelines.HopView stored = t.hops().get(4);
        assertThat(stored.remoteClock()).isTrue();
        assertThat(stored.statuses()).isEqualTo(Map.of("0000", 2, "A700", 1));
    }

    @Test void onlyTheLastStudiesAreKeptAndTheMostRecentlyActiveIsListedFirst() {
        for (int i = 0; i < StudyTimelines.KEPT + 5; i++) {
            timelines.passed(entry("1.2." + i, "1.2." + i + ".1"), "hospital-b", StudyTimelines.Hop.RECEIVED, T0.plusSeconds(i), null);
        }
        // the first study is active again: it stays, and the sixth oldest goes instead
        timelines.passed(entry("1.2.5", "1.2.5.2"), "hospital-b", StudyTimelines.Hop.ANSWERED, T0.plusSeconds(1000), 0);
        timelines.passed(entry("1.2.new", "1.2.new.1"), "hospital-b", StudyTimelines.Hop.RECEIVED, T0.plusSeconds(500), null);
        assertThat(timelines.list()).hasSize(StudyTimelines.KEPT);
        assertThat(timelines.list().get(0).studyInstanceUid()).isEqualTo("1.2.5");
        assertThat(timelines.of("1.2.5")).isPresent();
        assertThat(timelines.of("1.2.6")).isEmpty();
        assertThat(timelines.of("1.2.7")).isPresent();
    }
}
