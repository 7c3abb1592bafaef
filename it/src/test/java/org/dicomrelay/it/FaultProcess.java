package org.dicomrelay.it;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * One OS process of a fault scenario (the Bridge, a router, a {@code dicom-relay} command): its
 * output (stdout and stderr) collected line by line in memory and appended to a log file in the
 * scenario's folder, so that a failure can show what the process said. Each line carries the
 * time it was read, so a test can tell what happened after a line appeared.
 */
final class FaultProcess {
    /** A line of output and when the test read it (System.nanoTime()). */
    record Line(long readAt, String text) {}

    final String name;
    final Process process;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private Thread reader;

    private FaultProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /** Starts {@code command} in {@code dir}; its output goes to {@code log} (appended: a restart keeps the earlier run's lines). */
    static FaultProcess start(String name, List<String> command, Path dir, Path log) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        FaultProcess fp = new FaultProcess(name, p);
        fp.reader = new Thread(() -> fp.read(log), "output-" + name);
        fp.reader.setDaemon(true);
        fp.reader.start();
        return fp;
    }

    private void read(Path log) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(new Line(System.nanoTime(), line));
                w.write(line);
                w.newLine();
                w.flush();
            }
        } catch (IOException ended) {
            // the process is gone
        }
    }

    List<String> lines() {
        List<String> out = new ArrayList<>(lines.size());
        for (Line l : lines) out.add(l.text());
        return out;
    }

    String output() {
        return String.join("\n", lines());
    }

    /** The last lines, for a failure message. */
    String tail(int n) {
        List<String> all = lines();
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    /** The last JUL records of level WARNING or SEVERE (with the line before each: logger and time). */
    String warnings(int n) {
        List<String> all = lines(), out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("WARNING:") || all.get(i).startsWith("SEVERE:")) {
                if (i > 0) out.add(all.get(i - 1));
                out.add(all.get(i));
                // with the exception behind it, if any: its type, message and causes
                for (int j = i + 1; j < all.size() && j <= i + 40 && !all.get(j).matches("^[A-Z][a-z]{2} \\d{2}, .*"); j++) {
                    String l = all.get(j);
                    if (!l.startsWith("\tat ") && !l.startsWith("\t... ")) out.add(l);
                }
            }
        }
        return String.join("\n", out.subList(Math.max(0, out.size() - 2 * n), out.size()));
    }

    /** Waits for a line matching {@code match}; fails at once if the process exits first. */
    Line awaitLine(String what, Predicate<String> match, Duration timeout) {
        return await(name + ": " + what).atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (Line l : lines) if (match.test(l.text())) return l;
            if (!process.isAlive()) throw new AssertionError(name + " exited with " + process.exitValue() + " before " + what + ":\n" + tail(40));
            return null;
        }, l -> l != null);
    }

    /** kill -9: Process.destroyForcibly() is SIGKILL on Linux; returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException(name + " survived SIGKILL for 30 s");
    }

    /** SIGTERM (shutdown hooks run), SIGKILL if it does not end within 10 s. */
    void stop() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) kill();
    }

    /** Waits for a command to end; returns its exit code. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError(name + " did not finish within " + timeout.toSeconds() + " s:\n" + tail(40));
        }
        reader.join(10_000); // the reader may still be taking the last lines
        return process.exitValue();
    }
}
