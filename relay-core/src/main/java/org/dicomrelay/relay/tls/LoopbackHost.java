package org.dicomrelay.relay.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a host name or address stays on this machine: "localhost", 127.0.0.0/8 or ::1. Only
 * literals and "localhost" count, without any name lookup: a name that resolves to loopback today
 * may not tomorrow, and plain HTTP is allowed only where nothing leaves the machine.
 */
public final class LoopbackHost {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private LoopbackHost() {}

    public static boolean is(String host) {
        if (host == null || host.isBlank()) return false;
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.equals("localhost")) return true;
        if (!IPV4.matcher(h).matches() && !h.contains(":")) return false; // a name: no lookup
        try {
            return InetAddress.getByName(h).isLoopbackAddress(); // a literal: parsed, never resolved
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
