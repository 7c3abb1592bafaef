package org.dicomrelay.dicom.net;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link StateTable} against PS3.8 Table 9-10, all 13 × 19 cells, and {@link Action} against Tables 9-6 to 9-9. */
class StateTableTest {

    @Test void everyCellOfTable9_10MatchesTheStandard() {
        List<String> wrong = new ArrayList<>();
        int filled = 0;
        for (State s : State.values()) {
            for (FsmEvent e : FsmEvent.values()) {
                Action expected = Ps38Expected.action(s, e);
                Action actual = StateTable.action(s, e);
                if (expected != null) filled++;
                if (expected != actual) wrong.add(s + "+" + e + ": table has " + actual + ", PS3.8 has " + expected);
            }
        }
        assertThat(wrong).as("cells that differ from PS3.8 Table 9-10").isEmpty();
        // Guards the expectation itself against a truncated trigger list.
        assertThat(filled).isEqualTo(123);
    }

    @Test void artimExpiryInSta13ClosesTheTransport_AA2() {
        // AR-5 only stops the timer: with it, a peer that never closes would hold the socket forever.
        assertThat(StateTable.action(State.STA13, FsmEvent.EVT18)).isEqualTo(Action.AA_2);
    }

    @Test void everyReceivedEventHasAnEntryInEveryStateThatReads() {
        // Sta1 and Sta4 have no transport to read from; in every other state a PDU, a close or an
        // invalid PDU must be dealt with by the table, never by a fallback.
        List<FsmEvent> received = List.of(FsmEvent.EVT3, FsmEvent.EVT4, FsmEvent.EVT6, FsmEvent.EVT10, FsmEvent.EVT12,
                FsmEvent.EVT13, FsmEvent.EVT16, FsmEvent.EVT17, FsmEvent.EVT19);
        for (State s : State.values()) {
            if (s == State.STA1 || s == State.STA4) continue;
            for (FsmEvent e : received) assertThat(StateTable.action(s, e)).as(s + "+" + e).isNotNull();
        }
    }

    @Test void actionsLeadToTheNextStatesOfTables9_6To9_9() {
        Map<Action, State> next = Map.ofEntries(
                Map.entry(Action.AE_1, State.STA4), Map.entry(Action.AE_2, State.STA5), Map.entry(Action.AE_3, State.STA6),
                Map.entry(Action.AE_4, State.STA1), Map.entry(Action.AE_5, State.STA2), Map.entry(Action.AE_7, State.STA6),
                Map.entry(Action.AE_8, State.STA13), Map.entry(Action.DT_1, State.STA6), Map.entry(Action.DT_2, State.STA6),
                Map.entry(Action.AR_1, State.STA7), Map.entry(Action.AR_2, State.STA8), Map.entry(Action.AR_3, State.STA1),
                Map.entry(Action.AR_4, State.STA13), Map.entry(Action.AR_5, State.STA1), Map.entry(Action.AR_6, State.STA7),
                Map.entry(Action.AR_7, State.STA8), Map.entry(Action.AR_9, State.STA11), Map.entry(Action.AR_10, State.STA12),
                Map.entry(Action.AA_1, State.STA13), Map.entry(Action.AA_2, State.STA1), Map.entry(Action.AA_3, State.STA1),
                Map.entry(Action.AA_4, State.STA1), Map.entry(Action.AA_5, State.STA1), Map.entry(Action.AA_6, State.STA13),
                Map.entry(Action.AA_7, State.STA13), Map.entry(Action.AA_8, State.STA13));
        for (Action a : Action.values()) {
            if (a == Action.AE_6 || a == Action.AR_8) {
                assertThat(a.next()).as(a + " branches").isNull();
            } else {
                assertThat(a.next()).as(a.toString()).isEqualTo(next.get(a));
            }
        }
    }
}
