package dev.lifeboat.testkit;

import dev.lifeboat.core.process.ExternalCommand;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.Jedis;

/** One real redis-server started by the harness on 127.0.0.1, optionally replicating from another. */
public final class RedisServer implements AutoCloseable {
    private final String name;
    private final Path dir;
    private final Path binary;
    private final Optional<RedisServer> primary;
    private final List<String> extraArgs;
    private final Optional<Monitor> sentinelOf;
    private int port;
    private Process process;

    /** What a Sentinel watches: the master it is told about at start, the name it knows it by, and the quorum. */
    record Monitor(RedisServer master, String masterName, int quorum) {
    }

    RedisServer(String name, Path dir, Path binary, Optional<RedisServer> primary, List<String> extraArgs) {
        this(name, dir, binary, primary, extraArgs, Optional.empty());
    }

    RedisServer(String name, Path dir, Path binary, Optional<RedisServer> primary, List<String> extraArgs, Optional<Monitor> sentinelOf) {
        this.name = name;
        this.dir = dir;
        this.binary = binary;
        this.primary = primary;
        this.extraArgs = List.copyOf(extraArgs);
        this.sentinelOf = sentinelOf;
    }

    /** A Sentinel (started with {@code --sentinel}) watching {@code master}. */
    static RedisServer sentinel(String name, Path dir, Path binary, RedisServer master, String masterName, int quorum) {
        return new RedisServer(name, dir, binary, Optional.empty(), List.of(), Optional.of(new Monitor(master, masterName, quorum)));
    }

    public boolean isSentinel() {
        return sentinelOf.isPresent();
    }

    public String name() {
        return name;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return dir;
    }

    public Path log() {
        return dir.resolve("redis.log");
    }

    public long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** A new client connection; close it after use. */
    public Jedis client() {
        return new Jedis(host(), port, 5000);
    }

    /** Starts the server and waits until it answers PING. */
    public void start() {
        if (isRunning()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            port = FreePort.pick();
            List<String> cmd;
            try {
                Files.createDirectories(dir);
                cmd = sentinelOf.isPresent() ? sentinelCommand(sentinelOf.get()) : serverCommand();
                process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
            } catch (IOException e) {
                throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("redis-server", e.getMessage()), null, e);
            }
            Reaper.track(process.pid());
            try {
                Wait.until(Duration.ofSeconds(15), name + " to answer PING", () -> {
                    if (!process.isAlive()) {
                        return true;
                    }
                    try (Jedis j = client()) {
                        return "PONG".equals(j.ping());
                    }
                });
            } catch (IllegalStateException e) {
                crash();
                throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("redis-server " + name,
                        e.getMessage() + "; log " + log() + ExternalCommand.tail(log())), null, e);
            }
            if (process.isAlive()) {
                return;
            }
            Reaper.untrack(process.pid());
            if (attempt >= 3 || !ExternalCommand.tail(log()).contains("Address already in use")) {
                throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("redis-server " + name,
                        "exited at start; log " + log() + ExternalCommand.tail(log())), null);
            }
        }
    }

    private List<String> serverCommand() {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no", "--save", "",
                "--appendonly", "no", "--protected-mode", "no", "--repl-diskless-sync-delay", "0"));
        primary.ifPresent(p -> cmd.addAll(List.of("--replicaof", p.host(), Integer.toString(p.port()))));
        cmd.addAll(extraArgs);
        return cmd;
    }

    /** Sentinel rewrites its configuration file, so each one gets its own, written fresh at every start. */
    private List<String> sentinelCommand(Monitor m) throws IOException {
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode no",
                "dir " + dir,
                "sentinel monitor " + m.masterName() + " " + m.master().host() + " " + m.master().port() + " " + m.quorum(),
                "sentinel down-after-milliseconds " + m.masterName() + " 1000",
                "sentinel failover-timeout " + m.masterName() + " 10000",
                "sentinel parallel-syncs " + m.masterName() + " 1", ""));
        return List.of(binary.toString(), conf.toString(), "--sentinel");
    }

    /** Stops the server without saving, or kills it if it does not stop. */
    public void stop() {
        if (!isRunning()) {
            return;
        }
        try (Jedis j = client()) {
            j.shutdown();
        } catch (RuntimeException e) {
            // SHUTDOWN closes the connection; any error here is followed by the kill below.
        }
        try {
            process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(10), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        crash();
    }

    /** Kills the server with SIGKILL, as a crash would. */
    public void crash() {
        if (process != null) {
            Reaper.stop(process.pid());
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return name + "@" + host() + ":" + port;
    }
}
