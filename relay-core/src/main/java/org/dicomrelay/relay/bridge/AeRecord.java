package org.dicomrelay.relay.bridge;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An AE title a router exports through the relay, and the DIMSE services it accepts for it. The
 * Bridge signs it as part of the whole directory ({@link SignedDirectory}).
 *
 * @param services sorted, from {@link #SERVICES}
 */
public record AeRecord(String aeTitle, String routerId, List<String> services) {

    /** The services an exported AE may allow. */
    public static final Set<String> SERVICES = Set.of("echo", "store", "find", "move", "get");

    public AeRecord {
        requireValidAeTitle(aeTitle);
        RouterRecord.requireValidRouterId(routerId);
        services = normalizeServices(services);
    }

    /**
     * An AE title (PS3.5 AE value representation): 1 to 16 characters of the default character
     * repertoire without backslash or control characters, and not only spaces. Leading and trailing
     * spaces are not significant, so a valid title here has none.
     */
    public static void requireValidAeTitle(String aeTitle) {
        if (aeTitle == null || aeTitle.isEmpty() || aeTitle.length() > 16) {
            throw new IllegalArgumentException("AE title must be 1-16 characters");
        }
        if (!aeTitle.equals(aeTitle.strip())) {
            throw new IllegalArgumentException("AE title must not have leading or trailing spaces");
        }
        for (int i = 0; i < aeTitle.length(); i++) {
            char c = aeTitle.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '\\') {
                throw new IllegalArgumentException("AE title may contain only printable ASCII characters other than backslash");
            }
        }
    }

    /** Sorted, without duplicates; fails on an empty list or an unknown service. */
    public static List<String> normalizeServices(Collection<String> services) {
        if (services == null || services.isEmpty()) throw new IllegalArgumentException("an AE must allow at least one service");
        TreeSet<String> sorted = new TreeSet<>();
        for (String s : services) {
            if (s == null || !SERVICES.contains(s)) {
                throw new IllegalArgumentException("unknown service '" + s + "'; allowed: echo, store, find, move, get");
            }
            sorted.add(s);
        }
        return List.copyOf(sorted);
    }
}
