package dev.lifeboat.sandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client writing through the application at a steady rate, one thread per kind of write (progress events and
 * sessions), recording every acknowledged write in the {@link Ledger}. Requests time out after two seconds, so an
 * outage shows as a gap in acknowledgements, not as a stuck client.
 */
public final class Workload implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("\"id\":\"?([^\",}]+)");

    private final URI app;
    private final Ledger ledger;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread[] threads;

    public Workload(URI app, Ledger ledger, int progressPerSecond, int sessionsPerSecond) {
        this.app = app;
        this.ledger = ledger;
        // Two senders per kind, each at half the rate: one sender waits for each answer (about 45 ms for a progress
        // write here), which capped it near 22/s whatever the rate asked for.
        java.util.function.Supplier<String> progress = () -> "/api/progress?rid=p" + Long.toString(System.nanoTime(), 36) + "-"
                + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36) + "&user=" + ThreadLocalRandom.current().nextInt(1, 1001)
                + "&course=" + ThreadLocalRandom.current().nextInt(1, 51) + "&score=" + ThreadLocalRandom.current().nextInt(0, 101);
        java.util.function.Supplier<String> session = () -> "/api/sessions?user=" + ThreadLocalRandom.current().nextInt(1, 1001);
        this.threads = new Thread[] {
            loop("progress", progressPerSecond / 2.0, progress), loop("progress", progressPerSecond / 2.0, progress),
            loop("session", sessionsPerSecond / 2.0, session), loop("session", sessionsPerSecond / 2.0, session)
        };
        for (Thread t : threads) {
            t.start();
        }
    }

    private Thread loop(String kind, double perSecond, java.util.function.Supplier<String> path) {
        Thread t = new Thread(() -> {
            long interval = (long) (1_000_000_000L / Math.max(0.1, perSecond));
            long next = System.nanoTime();
            while (running.get()) {
                long sent = System.currentTimeMillis();
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(app.resolve(path.get())).timeout(Duration.ofSeconds(2))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    Matcher m = ID.matcher(r.body());
                    if (r.statusCode() == 201 && m.find()) {
                        ledger.acknowledged(kind, m.group(1), sent, System.currentTimeMillis());
                    } else {
                        ledger.failed(kind, System.currentTimeMillis());
                    }
                } catch (java.io.IOException e) {
                    ledger.failed(kind, System.currentTimeMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                next += interval;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                } else {
                    next = System.nanoTime();
                }
            }
        }, "sandbox-workload-" + kind);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
