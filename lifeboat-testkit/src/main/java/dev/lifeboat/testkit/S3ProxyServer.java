package dev.lifeboat.testkit;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real S3-compatible server for tests: S3Proxy (Maven Central) with its filesystem backend, in its own JVM on a
 * free 127.0.0.1 port, checking AWS signatures, stopped by PID. Its data directory survives {@link #stop()}, so a
 * test can take the "region" down and bring it back with its objects. The calling module must have
 * {@code org.gaul:s3proxy} on its test classpath.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "lifeboat-test-access";
    public static final String SECRET_KEY = "lifeboat-test-secret";
    private static final String MAIN = "org.gaul.s3proxy.Main";

    private final Path home;
    private final int port;
    private Process process;

    private S3ProxyServer(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    /** Starts a server with empty storage. */
    public static S3ProxyServer start() {
        try {
            Class.forName(MAIN, false, S3ProxyServer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new LifeboatException(ErrorCode.BINARY_NOT_FOUND, ErrorCode.BINARY_NOT_FOUND.format("S3Proxy (" + MAIN + ")", "the test classpath"),
                    "Add org.gaul:s3proxy as a test dependency of the module.");
        }
        Path home = Reaper.runDirectory().resolve("s3proxy-" + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectories(home.resolve("data"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        S3ProxyServer s = new S3ProxyServer(home, FreePort.pick());
        s.writeProperties();
        s.begin();
        return s;
    }

    private void writeProperties() {
        try {
            Files.writeString(home.resolve("s3proxy.properties"), String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + home.resolve("data"),
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void begin() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            process = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), MAIN,
                    "--properties", home.resolve("s3proxy.properties").toString()))
                    .directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("s3proxy.log").toFile())).start();
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("S3Proxy", e.getMessage()), null, e);
        }
        Reaper.track(process.pid());
        Wait.forPort(process, port, home.resolve("s3proxy.log"), "S3Proxy", Duration.ofSeconds(60));
        Wait.until(Duration.ofSeconds(60), "S3Proxy to answer HTTP on port " + port, this::answersHttp);
    }

    /**
     * Whether the server answers an anonymous request with any HTTP status: an open port is not enough, Jetty may
     * not be serving yet.
     */
    private boolean answersHttp() {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(endpoint() + "/").toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(10000);
            try {
                return c.getResponseCode() > 0;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    /** Creates a bucket (a directory of the filesystem backend). */
    public void createBucket(String name) {
        try {
            Files.createDirectories(home.resolve("data").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the server (SIGKILL), keeping its data: a region outage. */
    public void stop() {
        if (process != null) {
            Reaper.stop(process.pid());
        }
    }

    /** Starts it again on the same port with the same data: the region is back. */
    public void restart() {
        stop();
        begin();
    }

    @Override
    public void close() {
        stop();
        Reaper.deleteTree(home);
    }
}
