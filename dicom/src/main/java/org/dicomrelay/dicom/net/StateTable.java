package org.dicomrelay.dicom.net;

import java.util.EnumMap;
import java.util.Map;

import static org.dicomrelay.dicom.net.Action.*;
import static org.dicomrelay.dicom.net.FsmEvent.*;

/**
 * PS3.8 Table 9-10, the state transition table, written out row by row (one row per event, one
 * column per state Sta1..Sta13) so that a reviewer can hold it against the standard. A blank
 * cell ({@code __}) is an event not legal in that state: the association is aborted.
 */
public final class StateTable {
    private StateTable() {}

    private static final Action __ = null;

    private static final Map<FsmEvent, Action[]> TABLE = new EnumMap<>(FsmEvent.class);

    private static void row(FsmEvent e, Action... byState) {
        if (byState.length != State.values().length) throw new AssertionError(e + " row has " + byState.length + " cells");
        TABLE.put(e, byState);
    }

    static {
        //            Sta1  Sta2  Sta3  Sta4  Sta5  Sta6   Sta7   Sta8   Sta9  Sta10  Sta11 Sta12  Sta13
        row(EVT1,     AE_1, __,   __,   __,   __,   __,    __,    __,    __,   __,    __,   __,    __);
        row(EVT2,     __,   __,   __,   AE_2, __,   __,    __,    __,    __,   __,    __,   __,    __);
        row(EVT3,     __,   AA_1, AA_8, __,   AE_3, AA_8,  AA_8,  AA_8,  AA_8, AA_8,  AA_8, AA_8,  AA_6);
        row(EVT4,     __,   AA_1, AA_8, __,   AE_4, AA_8,  AA_8,  AA_8,  AA_8, AA_8,  AA_8, AA_8,  AA_6);
        row(EVT5,     AE_5, __,   __,   __,   __,   __,    __,    __,    __,   __,    __,   __,    __);
        row(EVT6,     __,   AE_6, AA_8, __,   AA_8, AA_8,  AA_8,  AA_8,  AA_8, AA_8,  AA_8, AA_8,  AA_7);
        row(EVT7,     __,   __,   AE_7, __,   __,   __,    __,    __,    __,   __,    __,   __,    __);
        row(EVT8,     __,   __,   AE_8, __,   __,   __,    __,    __,    __,   __,    __,   __,    __);
        row(EVT9,     __,   __,   __,   __,   __,   DT_1,  __,    AR_7,  __,   __,    __,   __,    __);
        row(EVT10,    __,   AA_1, AA_8, __,   AA_8, DT_2,  AR_6,  AA_8,  AA_8, AA_8,  AA_8, AA_8,  AA_6);
        row(EVT11,    __,   __,   __,   __,   __,   AR_1,  __,    __,    __,   __,    __,   __,    __);
        row(EVT12,    __,   AA_1, AA_8, __,   AA_8, AR_2,  AR_8,  AA_8,  AA_8, AA_8,  AA_8, AA_8,  AA_6);
        row(EVT13,    __,   AA_1, AA_8, __,   AA_8, AA_8,  AR_3,  AA_8,  AA_8, AR_10, AR_3, AA_8,  AA_6);
        row(EVT14,    __,   __,   __,   __,   __,   __,    __,    AR_4,  AR_9, __,    __,   AR_4,  __);
        row(EVT15,    __,   __,   AA_1, AA_2, AA_1, AA_1,  AA_1,  AA_1,  AA_1, AA_1,  AA_1, AA_1,  __);
        row(EVT16,    __,   AA_2, AA_3, __,   AA_3, AA_3,  AA_3,  AA_3,  AA_3, AA_3,  AA_3, AA_3,  AA_2);
        row(EVT17,    __,   AA_5, AA_4, AA_4, AA_4, AA_4,  AA_4,  AA_4,  AA_4, AA_4,  AA_4, AA_4,  AR_5);
        row(EVT18,    __,   AA_2, __,   __,   __,   __,    __,    __,    __,   __,    __,   __,    AA_2);
        row(EVT19,    __,   AA_1, AA_8, __,   AA_8, AA_8,  AA_8,  AA_8,  AA_8, AA_8,  AA_8, AA_8,  AA_7);
    }

    /** The action for an event in a state, or null where PS3.8 Table 9-10 has no entry. */
    public static Action action(State state, FsmEvent event) {
        return TABLE.get(event)[state.ordinal()];
    }
}
