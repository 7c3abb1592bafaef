package org.dicomrelay.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The goals of issues 9 and 10 against what one run measured, side by side: a goal missed says so, and a
 * goal this run could not measure (a part left out with --only, or on one host) says that.
 */
final class Goals {
    /** One row; {@code met} null: not measured. */
    record Row(String what, String goal, String measured, Boolean met) {
        String verdict() {
            if (goal == null) return "";
            return met == null ? "not measured" : met ? "met" : "MISSED";
        }
    }

    private final List<Row> rows = new ArrayList<>();

    void add(String what, String goal, String measured, Boolean met) {
        rows.add(new Row(what, goal, measured, met));
    }

    /** A measurement the issue sets no goal for. */
    void info(String what, String measured) {
        rows.add(new Row(what, null, measured, null));
    }

    void notMeasured(String what, String goal, String why) {
        rows.add(new Row(what, goal, why, null));
    }

    void print() {
        String format = "%-52s %-10s %-60s %s%n";
        System.out.printf("%nThe issues' goals (10, and 9's floor), this run of the bench (%s; each row as its line says: a median, or one run)%n",
                java.time.LocalDate.now(java.time.ZoneOffset.UTC));
        System.out.printf(format, "", "goal", "measured", "");
        for (Row r : rows) System.out.printf(format, r.what(), r.goal() == null ? "-" : r.goal(), r.measured(), r.verdict());
        long missed = rows.stream().filter(r -> Boolean.FALSE.equals(r.met())).count();
        System.out.printf("%d of %d goals missed%n", missed, rows.stream().filter(r -> r.goal() != null && r.met() != null).count());
    }
}
