package org.dicomrelay.dicom.net;

import java.util.EnumMap;
import java.util.Map;

/**
 * PS3.8 Table 9-10 as the tests expect it, written independently of {@link StateTable}: not as a
 * grid but as the list of state-event cells that trigger each action (the form in which the
 * action definitions of Tables 9-6 to 9-9 are commonly cross-referenced). The tests compare the
 * implementation's grid with this, and drive the live machine by it, so a wrong cell has to be
 * wrong twice, in two different shapes, to go unnoticed.
 *
 * <p>Notation: {@code "Sta2,5 Evt3,4"} is every pairing of those states and events; groups are
 * separated by {@code |}. A cell claimed by two actions is an error in this file, detected when
 * it loads.
 */
final class Ps38Expected {
    private Ps38Expected() {}

    private static final String[][] TRIGGERS = {
            {"AE-1", "Sta1 Evt1"},
            {"AE-2", "Sta4 Evt2"},
            {"AE-3", "Sta5 Evt3"},
            {"AE-4", "Sta5 Evt4"},
            {"AE-5", "Sta1 Evt5"},
            {"AE-6", "Sta2 Evt6"},
            {"AE-7", "Sta3 Evt7"},
            {"AE-8", "Sta3 Evt8"},
            {"DT-1", "Sta6 Evt9"},
            {"DT-2", "Sta6 Evt10"},
            {"AR-1", "Sta6 Evt11"},
            {"AR-2", "Sta6 Evt12"},
            {"AR-3", "Sta7,11 Evt13"},
            {"AR-4", "Sta8,12 Evt14"},
            {"AR-5", "Sta13 Evt17"},
            {"AR-6", "Sta7 Evt10"},
            {"AR-7", "Sta8 Evt9"},
            {"AR-8", "Sta7 Evt12"},
            {"AR-9", "Sta9 Evt14"},
            {"AR-10", "Sta10 Evt13"},
            // Before an A-ASSOCIATE-RQ, and for a local abort of an open association.
            {"AA-1", "Sta2 Evt3,4,10,12,13,19 | Sta3,5,6,7,8,9,10,11,12 Evt15"},
            // ARTIM expiry and A-ABORT where no association exists; a local abort while connecting.
            {"AA-2", "Sta2,13 Evt16,18 | Sta4 Evt15"},
            {"AA-3", "Sta3,5,6,7,8,9,10,11,12 Evt16"},
            {"AA-4", "Sta3,4,5,6,7,8,9,10,11,12 Evt17"},
            {"AA-5", "Sta2 Evt17"},
            {"AA-6", "Sta13 Evt3,4,10,12,13"},
            {"AA-7", "Sta13 Evt6,19"},
            // Some renderings list Sta5 for Evt4 here too; Sta5+Evt4 is AE-4 (the requestor's rejection).
            {"AA-8", "Sta3,6,7,8,9,10,11,12 Evt3,4 | Sta3,5,6,7,8,9,10,11,12 Evt6,19 | Sta3,5,8,9,10,11,12 Evt10,12"
                    + " | Sta3,5,6,8,9,12 Evt13"},
    };

    private static final Map<State, Map<FsmEvent, Action>> CELLS = new EnumMap<>(State.class);

    static {
        for (State s : State.values()) CELLS.put(s, new EnumMap<>(FsmEvent.class));
        for (String[] t : TRIGGERS) {
            Action action = Action.valueOf(t[0].replace('-', '_'));
            for (String group : t[1].split("\\|")) {
                String[] parts = group.trim().split(" ");
                for (String st : parts[0].substring(3).split(",")) {
                    for (String ev : parts[1].substring(3).split(",")) {
                        State s = State.values()[Integer.parseInt(st) - 1];
                        FsmEvent e = FsmEvent.values()[Integer.parseInt(ev) - 1];
                        Action before = CELLS.get(s).put(e, action);
                        if (before != null) throw new AssertionError(s + "+" + e + " claimed by " + before + " and " + action);
                    }
                }
            }
        }
    }

    /** The action of the cell, or null where the table is blank. */
    static Action action(State s, FsmEvent e) {
        return CELLS.get(s).get(e);
    }
}
