package org.dicomrelay.cli;

import picocli.CommandLine;

/** AE@host:port, the way dcm4che's tools name a peer (-c). */
public record Peer(String aeTitle, String host, int port) {

    public static Peer parse(String s) {
        int at = s.indexOf('@');
        int colon = s.lastIndexOf(':');
        if (at <= 0 || colon < at) throw new CommandLine.TypeConversionException("expected AE@host:port, got '" + s + "'");
        String ae = s.substring(0, at);
        if (ae.length() > 16) throw new CommandLine.TypeConversionException("AE title '" + ae + "' is longer than 16 characters");
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            if (port < 1 || port > 65535) throw new NumberFormatException();
            return new Peer(ae, s.substring(at + 1, colon), port);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("bad port in '" + s + "'");
        }
    }

    @Override public String toString() {
        return aeTitle + "@" + host + ":" + port;
    }

    /** picocli converter. */
    public static final class Converter implements CommandLine.ITypeConverter<Peer> {
        @Override public Peer convert(String value) {
            return parse(value);
        }
    }
}
