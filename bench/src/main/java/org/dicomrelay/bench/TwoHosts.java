package org.dicomrelay.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/relay.sh --hosts}: the Bridge and both routers as processes of the shaded jar, each
 * on its own host, a network namespace that relay.sh created: router A on host A (where this JVM,
 * the modality's storescu and the C-FIND SCU run), router B and the PACS (storescp, dcmqrscp) on
 * host B, the Bridge on host C. relay.sh passes the namespaces and addresses in RELAY_HOSTS
 * ("nsA nsB nsC addressOfB addressOfBridge") and the jar in RELAY_JAR.
 */
final class TwoHosts implements AutoCloseable {
    /** "router … listening on 127.0.0.1:PORT", "bridge listening on https://10.x.y.z:PORT (…)". */
    private static final Pattern LISTENING = Pattern.compile("listening on (?:https://)?[0-9.]+:(\\d+)");
    /** What {@code dicom-relay bridge} prints after it listens: the fingerprint the routers pin. */
    /** What {@link DelayProxy} prints per listener. */
    private static final Pattern PROXY = Pattern.compile("proxy listening on [0-9.]+:(\\d+)");
    private static final Pattern FINGERPRINT = Pattern.compile("TLS certificate SHA-256 fingerprint: ([0-9A-Fa-f:]{64,})");

    final String nsA, nsB, nsC;
    /** Where host A reaches host B's DICOM servers directly (host C routes between them for the direct baseline). */
    final String addressB;
    final String bridgeAddress;
    private final Path jar;
    private final Path logging;
    /** The Bridge and the routers, in the order started. */
    private final List<Output> relay = new ArrayList<>();
    /** The emulated WAN, once started. */
    private Output proxy;

    private TwoHosts(String[] f, Path jar, Path logging) {
        nsA = f[0];
        nsB = f[1];
        nsC = f[2];
        addressB = f[3];
        bridgeAddress = f[4];
        this.jar = jar;
        this.logging = logging;
    }

    /** The hosts relay.sh set up, or null when it runs everything on this host's loopback. */
    static TwoHosts fromEnvironment(Path work) throws IOException {
        String spec = System.getenv("RELAY_HOSTS");
        if (spec == null || spec.isBlank()) return null;
        String[] f = spec.trim().split("\\s+");
        if (f.length != 5) throw new IllegalArgumentException("RELAY_HOSTS must be 'nsA nsB nsC addressOfB addressOfBridge', not '" + spec + "'");
        Path jar = Path.of(System.getenv().getOrDefault("RELAY_JAR", "cli/target/dicom-relay.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) throw new IllegalArgumentException("RELAY_JAR " + jar + " is missing (mvn -pl cli -am package)");
        // The components log warnings only, as in the one-JVM run: the per-object INFO lines would cost time.
        Path logging = work.resolve("hosts-logging.properties");
        Files.writeString(logging, "handlers = java.util.logging.ConsoleHandler\n.level = WARNING\njava.util.logging.ConsoleHandler.level = WARNING\n");
        return new TwoHosts(f, jar, logging);
    }

    /** {@code command} run on host B. */
    List<String> onB(List<String> command) {
        return in(nsB, command);
    }

    private static List<String> in(String ns, List<String> command) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        out.addAll(command);
        return out;
    }

    /** The Bridge on host C as the routers reach it: its HTTPS URL and the fingerprint of the certificate it printed. */
    record Bridge(URI url, String fingerprint) {}

    /**
     * Starts the Bridge on host C, bound to its private address, with its default HTTPS (the
     * certificate it creates at first start in {@code dataDir}); returns its URL and the
     * fingerprint it printed, which enrollment and the administrator's calls pin.
     */
    Bridge startBridge(Path dataDir, String adminToken, Path work) throws IOException, InterruptedException {
        Path yaml = work.resolve("hosts-bridge.yaml");
        Files.deleteIfExists(yaml);
        // it holds the admin token: the owner's only
        Files.createFile(yaml, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(yaml, "bind: " + bridgeAddress + "\nport: 0\ndataDir: " + dataDir + "\nadminToken: " + adminToken + "\n");
        Output out = start(nsC, "bridge", yaml, List.of());
        int port = Integer.parseInt(out.await(LISTENING));
        return new Bridge(URI.create("https://" + bridgeAddress + ":" + port), out.await(FINGERPRINT));
    }

    /**
     * Starts a router (enrolled, config in {@code yaml}) on the host {@code ns} with these JVM
     * options (default heap: -Xmx512m); returns its port.
     */
    int startRouter(String ns, Path yaml, List<String> jvmOptions) throws IOException, InterruptedException {
        return Integer.parseInt(start(ns, "router", yaml, jvmOptions).await(LISTENING));
    }

    /** Stops both routers (SIGTERM: their shutdown hooks close them), the Bridge keeps running. */
    void stopRouters() throws InterruptedException {
        for (int i = relay.size() - 1; i >= 0; i--) {
            if (relay.get(i).label().startsWith("router")) stop(relay.remove(i).process());
        }
    }

    /**
     * Starts the emulated WAN on host C ({@link DelayProxy}, a process of its own so that its CPU
     * time is nobody's): one listener on the Bridge's address per target ("HOST:PORT"); returns
     * the listeners' ports in the targets' order.
     */
    List<Integer> startProxy(long delayMs, long mbit, List<String> targets) throws IOException, InterruptedException, java.net.URISyntaxException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-cp",
                Path.of(DelayProxy.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(), DelayProxy.class.getName(),
                String.valueOf(delayMs), String.valueOf(mbit)));
        for (String t : targets) cmd.add(bridgeAddress + ":0=" + t);
        proxy = launch(in(nsC, cmd), "delay proxy on host C");
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) ports.add(Integer.parseInt(proxy.await(PROXY)));
        return ports;
    }

    /** Starts {@code dicom-relay command --config yaml} on host {@code ns}. */
    private Output start(String ns, String command, Path yaml, List<String> jvmOptions) throws IOException {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        java.addAll(jvmOptions); // a later -Xmx wins
        String host = ns.equals(nsA) ? "A" : ns.equals(nsB) ? "B" : "C";
        // e.g. a profiler agent per process: {name} becomes bridge-C, router-A or router-B
        String extra = System.getenv().getOrDefault("RELAY_JVM_OPTS", "").trim();
        if (!extra.isEmpty()) java.addAll(List.of(extra.replace("{name}", command + "-" + host).split("\\s+")));
        java.addAll(List.of("-Djava.util.logging.config.file=" + logging, "-jar", jar.toString(), command, "--config", yaml.toString()));
        Output out = launch(in(ns, java), command + " on host " + host);
        relay.add(out);
        return out;
    }

    /** Starts {@code cmd}, its output read by a thread: awaited lines are queued, others shown. */
    private Output launch(List<String> cmd, String label) throws IOException {
        // ip netns exec execs the JVM: this process is the JVM, whose CPU time cpuNanos() adds up
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Output out = new Output(p, label);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.lines.add(line);
                    // what it prints at start is awaited; anything else (warnings) is shown
                    if (!line.contains("listening on") && !line.contains("fingerprint")) System.err.println(out.label + ": " + line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
        }, "output-" + label);
        reader.setDaemon(true);
        reader.start();
        return out;
    }

    /** A started component's output lines, in order, to wait for what it prints at start. */
    private record Output(Process process, String label, BlockingQueue<String> lines) {
        Output(Process process, String label) {
            this(process, label, new LinkedBlockingQueue<>());
        }

        /** Group 1 of the first further line that matches, within 60 s; the lines before it are consumed. */
        String await(Pattern pattern) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) return m.group(1);
                } else if (!process.isAlive()) {
                    throw new IOException(label + " exited with " + process.exitValue() + " before printing /" + pattern + "/");
                }
            }
            throw new IOException(label + " did not print /" + pattern + "/ within 60 s");
        }
    }

    /** CPU time of the Bridge and both routers so far (their JVMs). */
    long cpuNanos() {
        return cpuNanosByComponent().values().stream().mapToLong(Long::longValue).sum();
    }

    /** CPU time so far of each: "bridge on host C", "router on host B", "router on host A". */
    Map<String, Long> cpuNanosByComponent() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Output o : relay) out.put(o.label(), o.process().info().totalCpuDuration().map(Duration::toNanos).orElse(0L));
        return out;
    }

    /** Whether both routers still run (none died, e.g. of an OutOfMemoryError). */
    boolean routersAlive() {
        return relay.stream().filter(o -> o.label().startsWith("router")).allMatch(o -> o.process().isAlive())
                && relay.stream().filter(o -> o.label().startsWith("router")).count() == 2;
    }

    /** CPU time so far of the router on host {@code ns} (0 when it is not running). */
    long routerCpuNanos(String ns) {
        return cpuNanosByComponent().getOrDefault("router on host " + (ns.equals(nsA) ? "A" : "B"), 0L);
    }

    /** SIGTERM, the routers first (their shutdown hooks close them), then the Bridge, then the proxy. */
    @Override public void close() throws InterruptedException {
        for (int i = relay.size() - 1; i >= 0; i--) stop(relay.get(i).process());
        if (proxy != null) stop(proxy.process());
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
    }
}
