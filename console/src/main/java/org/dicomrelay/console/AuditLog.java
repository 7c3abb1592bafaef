package org.dicomrelay.console;

import org.dicomrelay.dicom.io.OwnerOnly;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * Who changed what, one line per change in {@code console-audit.log} (0600, appended and forced
 * to disk before the change is answered), also logged: {@code <time> user=<user> action=<action>
 * target=<target> outcome=<outcome>}. Values are single-line, never secrets.
 */
public final class AuditLog {
    public static final String FILE = "console-audit.log";
    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());

    private final Path file;
    private final Clock clock;

    public AuditLog(Path dir, Clock clock) {
        this.file = dir.resolve(FILE);
        this.clock = clock;
    }

    public Path file() { return file; }

    public synchronized void record(String user, String action, String target, String outcome) {
        String line = clock.instant() + " user=" + clean(user) + " action=" + clean(action) + " target=" + clean(target)
                + " outcome=" + clean(outcome);
        LOG.log(System.Logger.Level.INFO, "console: " + line);
        try (OutputStream out = OwnerOnly.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE,
                StandardOpenOption.SYNC)) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot append to the console audit log " + file + " (" + line + "): "
                    + org.dicomrelay.dicom.net.FailureText.of(e));
        }
    }

    /** Control characters (a forged line break) become '?': one change, one line. */
    static String clean(String s) {
        if (s == null || s.isEmpty()) return "-";
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
