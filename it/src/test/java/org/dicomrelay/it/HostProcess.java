package org.dicomrelay.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/** A long-running child process on a {@link Host}, its output (stdout and stderr) collected line by line. */
final class HostProcess {
    private static final Pattern LISTENING = Pattern.compile("listening on (?:https?://)?[0-9.]+:(\\d+)");

    final String name;
    final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private HostProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    static HostProcess start(String name, ProcessBuilder pb) throws IOException {
        HostProcess p = new HostProcess(name, pb.start());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) p.lines.add(line);
            } catch (IOException ended) {
                // the process is gone
            }
        }, "output-" + name);
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    String output() {
        return String.join("\n", lines);
    }

    boolean logged(String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    void assertAlive() {
        if (!process.isAlive()) throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + output());
    }

    /** Waits for the "... listening on address:port" line (a router, the Bridge) and returns the port. */
    int awaitListening() {
        String line = await(name + " listening").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    assertAlive();
                    return lines.stream().filter(l -> LISTENING.matcher(l).find()).findFirst().orElse(null);
                }, l -> l != null);
        Matcher m = LISTENING.matcher(line);
        if (!m.find()) throw new AssertionError(line);
        return Integer.parseInt(m.group(1));
    }

    /** Waits until a line containing {@code text} was logged (the process must stay alive meanwhile). */
    void awaitLogged(String text, Duration atMost) {
        await(name + " logging '" + text + "'").atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            assertAlive();
            return logged(text);
        });
    }

    /** Waits for a command that runs to completion (enroll); fails with its output unless it exits 0. */
    void awaitSuccess(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            stop();
            throw new AssertionError(name + " did not finish within " + atMost.toSeconds() + " s:\n" + output());
        }
        if (process.exitValue() != 0) throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + output());
    }

    /** SIGTERM (a router's and the Bridge's shutdown hooks close them), SIGKILL after 10 s; children first (dcmqrscp forks). */
    void stop() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
