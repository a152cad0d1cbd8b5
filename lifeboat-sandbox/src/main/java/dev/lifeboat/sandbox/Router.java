package dev.lifeboat.sandbox;

import dev.lifeboat.core.plan.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The routing endpoint the application reaches PostgreSQL through (what pgbouncer, HAProxy or a Kubernetes
 * Service is in production): a TCP proxy on 127.0.0.1 forwarding to the current primary. {@link #repoint} sends
 * new connections to another server and cuts the existing ones, so no session keeps writing to the old primary.
 */
public final class Router implements AutoCloseable {
    private final ServerSocket listener;
    private final AtomicReference<Endpoint> backend;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public Router(Endpoint initial) throws IOException {
        this.backend = new AtomicReference<>(initial);
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::accept, "sandbox-router");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public Endpoint backend() {
        return backend.get();
    }

    /** Routes new connections to {@code to} and closes every connection made before. */
    public void repoint(Endpoint to) {
        backend.set(to);
        for (Socket s : open) {
            close(s);
        }
        open.clear();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Endpoint b = backend.get();
                Socket server = new Socket();
                try {
                    server.connect(new InetSocketAddress(b.host(), b.port()), 2000);
                } catch (IOException e) {
                    close(client);
                    continue;
                }
                open.add(client);
                open.add(server);
                pipe(client, server);
                pipe(server, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close both below
            } finally {
                close(from);
                close(to);
                open.remove(from);
                open.remove(to);
            }
        }, "sandbox-router-pipe");
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
        try {
            listener.close();
        } catch (IOException e) {
            // closing
        }
        open.forEach(Router::close);
    }
}
