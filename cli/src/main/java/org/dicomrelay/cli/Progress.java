package org.dicomrelay.cli;

import java.io.PrintWriter;

/** A progress bar (instances, MB, MB/s) on a terminal; silence otherwise, the summary says it all. */
final class Progress {
    private final int total;
    private final long totalBytes;
    private final boolean terminal;
    private final PrintWriter out;
    private final long start = System.nanoTime();
    private int done;
    private long bytes;
    private long lastDraw;

    Progress(int total, long totalBytes, boolean terminal, PrintWriter out) {
        this.total = total;
        this.totalBytes = totalBytes;
        this.terminal = terminal;
        this.out = out;
    }

    void advance(long size) {
        done++;
        bytes += size;
        long now = System.nanoTime();
        if (terminal && (now - lastDraw > 100_000_000L || done == total)) {
            lastDraw = now;
            int width = 30;
            int filled = total == 0 ? width : (int) ((long) width * done / total);
            out.printf("\r[%s%s] %d/%d  %s / %s  %.1f MB/s ", "#".repeat(filled), " ".repeat(width - filled), done, total,
                    mb(bytes), mb(totalBytes), mbPerSecond());
            out.flush();
        }
    }

    /** A message that must not be overwritten by the bar. */
    void note(String message) {
        if (terminal) out.print("\r\033[K");
        out.println(message);
    }

    void done() {
        if (terminal && total > 0) out.println();
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    double mbPerSecond() {
        double s = seconds();
        return s <= 0 ? 0 : bytes / 1e6 / s;
    }

    static String mb(long b) {
        return String.format("%.1f MB", b / 1e6);
    }
}
