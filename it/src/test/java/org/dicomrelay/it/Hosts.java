package org.dicomrelay.it;

import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Three hosts on one machine: private network namespaces created for one test and removed after
 * it. Host C holds the Bridge; hospital A and hospital B each have one link (a veth pair) to C and
 * none to each other, and C does not forward, so A and B share nothing on the network but the
 * Bridge's address. Addresses are private and random per run (10.[200-250].x.y):
 * <pre>
 *   A: 10.N.1.2/30 ─── 10.N.1.1/30 :C: 10.N.2.1/30 ─── 10.N.2.2/30 :B
 *                       C's loopback also holds 10.N.0.1/32, the Bridge's address,
 *                       which A and B route to through their link.
 * </pre>
 * Needs root (CI runs as root). Without it, or when {@code ip netns} fails, creating the hosts
 * fails with the reason, unless the environment sets {@code CI_NO_NETNS=1}: then the test is
 * skipped (an assumption), for developer machines without root.
 */
final class Hosts implements AutoCloseable {
    static final String NO_NETNS = "CI_NO_NETNS";
    private static final SecureRandom RANDOM = new SecureRandom();

    final Host bridge, a, b;
    private final List<String> namespaces;
    private final Thread atExit = new Thread(this::removeNamespaces, "remove-network-namespaces");
    private boolean closed;

    private Hosts(Host bridge, Host a, Host b) {
        this.bridge = bridge;
        this.a = a;
        this.b = b;
        this.namespaces = List.of(bridge.namespace, a.namespace, b.namespace);
    }

    /** Creates the three hosts and their links, or fails (skips with CI_NO_NETNS=1) saying why it cannot. */
    static Hosts create() throws IOException {
        String why = unavailable();
        if (why != null) {
            Assumptions.assumeFalse("1".equals(System.getenv(NO_NETNS)), "network namespaces unavailable (" + NO_NETNS + "=1): " + why);
            throw new IllegalStateException("two-host tests need network namespaces: " + why + " (CI runs them as root; on a machine "
                    + "without root set " + NO_NETNS + "=1 to skip them)");
        }
        String ip = ipTool();
        String run = HexFormat.of().formatHex(RANDOM.generateSeed(3));
        int net = 200 + RANDOM.nextInt(51);
        String prefix = "10." + net + ".";
        Hosts hosts = new Hosts(new Host("C (Bridge)", "dr-" + run + "-c", prefix + "0.1", ip),
                new Host("A", "dr-" + run + "-a", prefix + "1.2", ip), new Host("B", "dr-" + run + "-b", prefix + "2.2", ip));
        Runtime.getRuntime().addShutdownHook(hosts.atExit);
        try {
            String c = hosts.bridge.namespace;
            for (String ns : hosts.namespaces) {
                ip(ip, "netns", "add", ns);
                ip(ip, "-n", ns, "link", "set", "lo", "up");
            }
            hosts.link(ip, hosts.a, "a0", prefix + "1.1", prefix + "1.2");
            hosts.link(ip, hosts.b, "b0", prefix + "2.1", prefix + "2.2");
            ip(ip, "-n", c, "addr", "add", hosts.bridge.address + "/32", "dev", "lo");
            return hosts;
        } catch (IOException | RuntimeException e) {
            hosts.close();
            throw e;
        }
    }

    /** A veth pair between {@code host} (its end "c0") and C (its end {@code endAtC}); {@code host} routes the Bridge's address through it. */
    private void link(String ip, Host host, String endAtC, String addressAtC, String addressAtHost) throws IOException {
        String c = bridge.namespace;
        ip(ip, "-n", host.namespace, "link", "add", "c0", "type", "veth", "peer", "name", endAtC, "netns", c);
        ip(ip, "-n", host.namespace, "addr", "add", addressAtHost + "/30", "dev", "c0");
        ip(ip, "-n", host.namespace, "link", "set", "c0", "up");
        ip(ip, "-n", c, "addr", "add", addressAtC + "/30", "dev", endAtC);
        ip(ip, "-n", c, "link", "set", endAtC, "up");
        ip(ip, "-n", host.namespace, "route", "add", bridge.address + "/32", "via", addressAtC);
    }

    /** Why network namespaces cannot be made here, or null. */
    private static String unavailable() {
        try {
            if (!"0".equals(Hosts.exec(List.of("id", "-u"), Duration.ofSeconds(10), Map.of()).output().trim())) return "not running as root";
            String ip = ipTool();
            if (ip == null) return "the ip command (iproute2) is not installed";
            String probe = "dr-probe-" + HexFormat.of().formatHex(RANDOM.generateSeed(3));
            Peers.Result add = exec(List.of(ip, "netns", "add", probe), Duration.ofSeconds(10), Map.of());
            if (add.exitCode() != 0) return "ip netns add failed: " + add.output().trim();
            exec(List.of(ip, "netns", "del", probe), Duration.ofSeconds(10), Map.of());
            return null;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String ipTool() {
        for (String p : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) if (Files.isExecutable(Path.of(p))) return p;
        return null;
    }

    private static void ip(String ip, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ip));
        cmd.addAll(List.of(args));
        Peers.Result r = exec(cmd, Duration.ofSeconds(20), Map.of());
        if (r.exitCode() != 0) throw new IOException(String.join(" ", cmd) + " failed (" + r.exitCode() + "): " + r.output().trim());
    }

    /** Runs a command to completion with its output (stdout and stderr) captured. */
    static Peers.Result exec(List<String> command, Duration timeout, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile("host", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s:\n"
                        + Files.readString(log));
            }
            return new Peers.Result(p.exitValue(), new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Stops every process the hosts started, then removes the namespaces (and with them the links). */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Host h : List.of(a, b, bridge)) h.stopAll();
        removeNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(atExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or ran
        }
    }

    /**
     * Removes the namespaces; a process still inside one (only ours can be: the namespace is
     * this run's) is killed by its id first, else the namespace would outlive its name.
     */
    private void removeNamespaces() {
        String ip = ipTool();
        for (String ns : namespaces) {
            try {
                Peers.Result pids = exec(List.of(ip, "netns", "pids", ns), Duration.ofSeconds(10), Map.of());
                if (pids.exitCode() != 0) continue; // not created
                for (String pid : pids.output().split("\\s+")) {
                    if (pid.matches("\\d+")) ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
                exec(List.of(ip, "netns", "del", ns), Duration.ofSeconds(10), Map.of());
            } catch (IOException e) {
                System.err.println("could not remove network namespace " + ns + ": " + e);
            }
        }
    }
}
