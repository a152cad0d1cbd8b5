package dev.lifeboat.testkit;

import dev.lifeboat.core.process.Binaries;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Azure Blob endpoint for tests: Azurite's blob service (npm package {@code azurite}) on a free 127.0.0.1
 * port, with the well-known development account, stopped by PID. Found as {@code $LIFEBOAT_AZURITE} or
 * {@code azurite-blob} on PATH; {@code .ci/run} installs it with {@code npm install -g azurite}.
 */
public final class AzuriteServer implements AutoCloseable {
    /** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final Path home;
    private final int port;
    private final Path binary;
    private Process process;

    private AzuriteServer(Path home, int port, Path binary) {
        this.home = home;
        this.port = port;
        this.binary = binary;
    }

    public static AzuriteServer start() {
        Path binary = locate();
        Path home = Reaper.runDirectory().resolve("azurite-" + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectories(home.resolve("data"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AzuriteServer s = new AzuriteServer(home, FreePort.pick(), binary);
        s.begin();
        return s;
    }

    private static Path locate() {
        List<String> looked = new ArrayList<>();
        String configured = System.getenv("LIFEBOAT_AZURITE");
        if (configured != null && !configured.isBlank()) {
            looked.add(configured + " ($LIFEBOAT_AZURITE)");
            if (Files.isExecutable(Path.of(configured))) {
                return Path.of(configured);
            }
        }
        looked.add("PATH");
        return Binaries.onPath("azurite-blob").orElseThrow(() -> new LifeboatException(ErrorCode.BINARY_NOT_FOUND,
                ErrorCode.BINARY_NOT_FOUND.format("azurite-blob", String.join("; ", looked)),
                "Install it with 'npm install -g azurite' or set LIFEBOAT_AZURITE to the azurite-blob script."));
    }

    private void begin() {
        try {
            process = new ProcessBuilder(List.of(binary.toString(), "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port),
                    "--location", home.resolve("data").toString(), "--skipApiVersionCheck", "--loose", "--silent"))
                    .directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("azurite.log").toFile())).start();
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("azurite-blob", e.getMessage()), null, e);
        }
        Reaper.track(process.pid());
        Wait.forPort(process, port, home.resolve("azurite.log"), "azurite-blob", Duration.ofSeconds(60));
    }

    /** The blob endpoint including the account, as the Azure SDK wants it. */
    public String endpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    /** Kills the server (its data stays): an outage. */
    public void stop() {
        if (process != null) {
            Reaper.stop(process.pid());
        }
    }

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
