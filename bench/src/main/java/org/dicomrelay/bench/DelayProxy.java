package org.dicomrelay.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An emulated WAN for the benchmark (netem's delay is not available in this kernel): a TCP proxy
 * that forwards each connection to one target, every byte delayed by the {@link SharedLink} of its
 * direction (client to target: {@code up}; back: {@code down}), which all connections share. Each
 * connection direction buffers at most {@link #QUEUED_CHUNKS} chunks; a full queue stops reading,
 * so TCP flow control slows the sender as a congested link would.
 *
 * <p>As a process ({@code bench/relay.sh --hosts} runs it on the Bridge's host):
 * {@code DelayProxy DELAY_MS MBIT LISTEN_HOST:PORT=TARGET_HOST:PORT...}; prints
 * "proxy listening on HOST:PORT -> TARGET" per mapping (port 0: any free port) and runs until
 * its standard input ends.
 */
final class DelayProxy implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    private static final int QUEUED_CHUNKS = 64;

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final SharedLink up, down;
    /** The accept loop and two threads per connection direction; closed with the proxy. */
    private final ExecutorService threads;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private DelayProxy(ServerSocket server, InetSocketAddress target, SharedLink up, SharedLink down) {
        this.server = server;
        this.target = target;
        this.up = up;
        this.down = down;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "delay-proxy-" + server.getLocalPort() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Listens on {@code listen} (port 0: any) and forwards every connection to {@code target} through the two links. */
    static DelayProxy start(InetSocketAddress listen, InetSocketAddress target, SharedLink up, SharedLink down) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(listen);
        DelayProxy p = new DelayProxy(s, target, up, down);
        p.threads.execute(p::accept);
        return p;
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            open.add(client);
            threads.execute(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket remote = new Socket();
        open.add(remote);
        try {
            remote.connect(target, 10_000);
            client.setTcpNoDelay(true);
            remote.setTcpNoDelay(true);
            AtomicInteger directions = new AtomicInteger(2);
            pump(client, remote, up, directions);
            pump(remote, client, down, directions);
        } catch (IOException e) {
            System.err.println("delay proxy: cannot reach " + target + ": " + failure(e));
            closeBoth(client, remote);
        }
    }

    /** A chunk read at one end and when it may leave at the other; {@code length} -1: the sender closed its side. */
    private record Chunk(byte[] data, int length, long due) {}

    private void pump(Socket from, Socket to, SharedLink link, AtomicInteger directions) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        threads.execute(() -> {
            byte[] buf = new byte[CHUNK];
            try {
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (n > 0) queue.put(new Chunk(Arrays.copyOf(buf, n), n, link.arrival(n)));
                }
                queue.put(new Chunk(null, -1, link.arrival(0)));
            } catch (IOException | InterruptedException e) {
                closeBoth(from, to); // a reset on one side resets the other
                queue.offer(new Chunk(null, -1, 0)); // ends the writer if it waits (else its write fails on the closed socket)
            }
        });
        threads.execute(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    long wait;
                    // the emulated propagation delay: this is the link, not a wait for another thread
                    while ((wait = c.due() - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
                    if (c.length() < 0) {
                        to.shutdownOutput();
                        break;
                    }
                    out.write(c.data(), 0, c.length());
                }
                if (directions.decrementAndGet() == 0) closeBoth(from, to);
            } catch (IOException | InterruptedException e) {
                closeBoth(from, to);
            }
        });
    }

    private void closeBoth(Socket a, Socket b) {
        for (Socket s : List.of(a, b)) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            open.remove(s);
        }
    }

    @Override public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : List.copyOf(open)) closeBoth(s, s);
        threads.shutdownNow();
    }

    private static String failure(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    static InetSocketAddress address(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("not HOST:PORT: " + hostPort);
        return new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, colon)), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: DelayProxy DELAY_MS MBIT LISTEN_HOST:PORT=TARGET_HOST:PORT...");
            System.exit(2);
        }
        long delay = Long.parseLong(args[0]) * 1_000_000L;
        long bits = Long.parseLong(args[1]) * 1_000_000L;
        SharedLink up = new SharedLink(delay, bits), down = new SharedLink(delay, bits);
        List<DelayProxy> proxies = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] m = args[i].split("=", 2);
            if (m.length != 2) throw new IllegalArgumentException("not LISTEN=TARGET: " + args[i]);
            InetSocketAddress listen = address(m[0]);
            DelayProxy p = start(listen, address(m[1]), up, down);
            proxies.add(p);
            System.out.println("proxy listening on " + listen.getAddress().getHostAddress() + ":" + p.port() + " -> " + m[1]);
        }
        System.out.flush();
        // runs until whoever started it closes its input (or ends it)
        while (System.in.read() >= 0) {
            // nothing to read but the end
        }
        proxies.forEach(DelayProxy::close);
    }
}
