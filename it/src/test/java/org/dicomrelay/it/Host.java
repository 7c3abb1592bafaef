package org.dicomrelay.it;

import org.dicomrelay.testkit.Peers;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * One host of {@link Hosts}: a private network namespace with its own loopback and one link to
 * the Bridge's host. Everything a test runs here is a child process started through
 * {@code ip netns exec}; the file system is the machine's.
 */
final class Host {
    final String label;
    /** The namespace's name (unique per run). */
    final String namespace;
    /** Where the other hosts reach this one: its link address (the Bridge's host: its service address). */
    final String address;
    private final String ip;
    private final List<HostProcess> started = new ArrayList<>();

    Host(String label, String namespace, String address, String ip) {
        this.label = label;
        this.namespace = namespace;
        this.address = address;
        this.ip = ip;
    }

    /** {@code command} as run inside this host's namespace. */
    List<String> command(List<String> command) {
        List<String> out = new ArrayList<>(List.of(ip, "netns", "exec", namespace));
        out.addAll(command);
        return out;
    }

    /** Runs a command here to completion, output (stdout and stderr) captured. */
    Peers.Result run(Duration timeout, String... command) throws IOException {
        return Hosts.exec(command(List.of(command)), timeout, Map.of("TCP_NODELAY", "1"));
    }

    /** Starts a long-running process here (a router, the Bridge); stopped by {@link #stopAll()}. */
    HostProcess start(String name, List<String> command, Path directory, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(command)).redirectErrorStream(true);
        if (directory != null) pb.directory(directory.toFile());
        pb.environment().put("TCP_NODELAY", "1");
        pb.environment().putAll(env);
        HostProcess p = HostProcess.start(name + " on host " + label, pb);
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    /**
     * A DCMTK server (storescp, dcmqrscp) here, bound to this host's loopback by the shim (they
     * bind every interface otherwise), once it accepts connections on {@code port}.
     */
    HostProcess startDicomServer(String name, List<String> command, int port, Path directory) throws IOException {
        HostProcess p = start(name, command, directory, Map.of("LD_PRELOAD", Peers.loopbackShim().toString()));
        await(name + " accepting on " + label + ":" + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    p.assertAlive();
                    return connects("127.0.0.1", port);
                });
        return p;
    }

    /** Whether a TCP connection from this host to {@code address:port} succeeds (within 5 s). */
    boolean connects(String address, int port) throws IOException {
        return tcpConnect(address, port).exitCode() == 0;
    }

    /** A TCP connection attempt from this host (5 s at most): exit code 0 when it succeeded, else bash's reason. */
    Peers.Result tcpConnect(String address, int port) throws IOException {
        return run(Duration.ofSeconds(10), "timeout", "5", "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port);
    }

    /** Stops what was started here, last first: SIGTERM (their shutdown hooks run), then SIGKILL. */
    void stopAll() {
        List<HostProcess> copy;
        synchronized (started) {
            copy = new ArrayList<>(started);
            started.clear();
        }
        for (int i = copy.size() - 1; i >= 0; i--) copy.get(i).stop();
    }

    @Override public String toString() {
        return "host " + label + " (" + namespace + ", " + address + ")";
    }
}
