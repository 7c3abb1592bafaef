package org.dicomrelay.dicom.json;

import java.util.ArrayList;
import java.util.List;

/**
 * The three component groups of a PN value (PS3.5 §6.2.1), named as in PS3.18 F.2.2. A DICOM
 * value separates them with '='; DICOM JSON writes them as members of an object and leaves out
 * the empty ones.
 */
final class PersonNameGroups {
    private PersonNameGroups() {}

    static final List<String> NAMES = List.of("Alphabetic", "Ideographic", "Phonetic");

    /** The groups of a decoded value, as many as it has (up to three; a fourth '=' stays in the last). */
    static String[] split(String value) {
        return value.split("=", NAMES.size());
    }

    /** A group without a name component: empty, or component delimiters (and padding) only, e.g. "^^^^". */
    static boolean isEmpty(String group) {
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            if (c != '^' && c != ' ') return false;
        }
        return true;
    }

    /** Whether any group of a value holds a name component. */
    static boolean hasName(String value) {
        for (String g : split(value)) if (!isEmpty(g)) return true;
        return false;
    }

    /** Joins groups back with '=', dropping empty trailing groups (PS3.5 §6.2.1 allows their omission). */
    static String join(String alphabetic, String ideographic, String phonetic) {
        List<String> groups = new ArrayList<>(List.of(nz(alphabetic), nz(ideographic), nz(phonetic)));
        while (!groups.isEmpty() && groups.get(groups.size() - 1).isEmpty()) groups.remove(groups.size() - 1);
        return String.join("=", groups);
    }

    private static String nz(String s) { return s == null ? "" : s; }
}
