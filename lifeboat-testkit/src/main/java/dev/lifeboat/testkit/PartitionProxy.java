package dev.lifeboat.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a free 127.0.0.1 port that can cut the network silently: {@link #partition()} keeps every
 * connection open and accepts new ones, but swallows whatever either side sends, as a dead link or a dropping
 * firewall does (no reset, no close: only timeouts tell). {@link #heal()} closes the connections that lived through
 * the partition (their streams lost bytes) and forwards again. Runs in the test's JVM; threads are daemons.
 */
public final class PartitionProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean partitioned;
    private volatile boolean closed;

    private PartitionProxy(ServerSocket server, int target) {
        this.server = server;
        this.target = target;
    }

    /** Starts forwarding 127.0.0.1:{@link #port()} to 127.0.0.1:{@code targetPort}. */
    public static PartitionProxy start(int targetPort) {
        try {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            PartitionProxy p = new PartitionProxy(s, targetPort);
            Thread t = new Thread(p::accept, "partition-proxy-" + s.getLocalPort());
            t.setDaemon(true);
            t.start();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on nothing gets through, in either direction, and nothing is closed. */
    public void partition() {
        partitioned = true;
    }

    /** Forwards again; connections that lived through the partition are closed. */
    public void heal() {
        for (Socket s : sockets) {
            close(s);
        }
        sockets.clear();
        partitioned = false;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                if (partitioned) {
                    pump(client.getInputStream(), null); // accepted, then silence
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(upstream);
                pump(client.getInputStream(), upstream.getOutputStream());
                pump(upstream.getInputStream(), client.getOutputStream());
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    if (!partitioned && out != null) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // closed by heal() or close()
            }
        }, "partition-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        heal();
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
