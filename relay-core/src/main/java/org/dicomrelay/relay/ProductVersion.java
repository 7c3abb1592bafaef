package org.dicomrelay.relay;

import java.util.regex.Pattern;

/**
 * This build's version, from the jar's manifest ({@code Implementation-Version}, written by the
 * shaded jar's build), and how a router tells it to the Bridge: the {@code User-Agent} of its calls.
 */
public final class ProductVersion {
    /** What a build run from classes (an IDE, {@code mvn test}) reports. */
    public static final String DEVELOPMENT = "development build";
    private static final String AGENT_PREFIX = "dicom-relay/";
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z.+_-]{1,40}");

    private ProductVersion() {}

    public static String current() {
        String v = ProductVersion.class.getPackage().getImplementationVersion();
        return v == null ? DEVELOPMENT : v;
    }

    /** The User-Agent of a router's calls to the Bridge. */
    public static String userAgent() {
        String v = current();
        return AGENT_PREFIX + (VERSION.matcher(v).matches() ? v : "development");
    }

    /** The version a User-Agent names, or null if it is not one of ours (only what the pattern allows: it is shown in a page). */
    public static String ofUserAgent(String userAgent) {
        if (userAgent == null || !userAgent.startsWith(AGENT_PREFIX)) return null;
        String v = userAgent.substring(AGENT_PREFIX.length()).strip();
        return VERSION.matcher(v).matches() ? v : null;
    }
}
