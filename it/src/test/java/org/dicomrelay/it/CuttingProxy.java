package org.dicomrelay.it;

import org.dicomrelay.testkit.ByteSearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy to the Bridge (plain HTTP, 127.0.0.1) that cuts the connection {@code times} times,
 * in the middle of the first requests whose bytes contain {@code trigger}: it forwards such a
 * request's head and {@code bytesAfter} more bytes, then closes both sides. Everything else passes untouched.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final URI target;
    private final byte[] trigger;
    private final int bytesAfter;
    /** Cuts still to make. */
    private final AtomicInteger armed;
    private final AtomicInteger cuts = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ExecutorService pumps = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cutting-proxy");
        t.setDaemon(true);
        return t;
    });

    CuttingProxy(URI target, String trigger, int bytesAfter, int times) throws IOException {
        this.armed = new AtomicInteger(times);
        this.target = target;
        this.trigger = trigger.getBytes(StandardCharsets.US_ASCII);
        this.bytesAfter = bytesAfter;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pumps.execute(this::accept);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Connections cut so far. */
    int cuts() {
        return cuts.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target.getPort());
                sockets.add(client);
                sockets.add(upstream);
                pumps.execute(() -> pump(client, upstream, true));
                pumps.execute(() -> pump(upstream, client, false));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean watch) {
        byte[] buf = new byte[64 * 1024];
        byte[] tail = new byte[0];
        long left = -1; // bytes still to forward before the cut, once triggered
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                if (watch && left < 0 && armed.get() > 0) {
                    byte[] window = new byte[tail.length + n];
                    System.arraycopy(tail, 0, window, 0, tail.length);
                    System.arraycopy(buf, 0, window, tail.length, n);
                    if (ByteSearch.indexOf(window, trigger) >= 0 && armed.getAndUpdate(n0 -> Math.max(0, n0 - 1)) > 0) left = bytesAfter;
                    tail = java.util.Arrays.copyOfRange(window, Math.max(0, window.length - trigger.length), window.length);
                }
                if (left >= 0) {
                    int m = (int) Math.min(n, left);
                    out.write(buf, 0, m);
                    out.flush();
                    left -= m;
                    if (left == 0) {
                        cuts.incrementAndGet();
                        return; // closes both sides: the connection is cut mid-request
                    }
                    continue;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side went: so does this one
        }
    }


    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        pumps.shutdownNow();
    }
}
