package dev.lifeboat.drill;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * What happened during a drill, in order: phases (detect, decide, fence, promote or restore, replay, validate,
 * re-route, ...) with their start and end, and events, each explained in one sentence. Every entry is also passed
 * to a listener as it happens, so progress is visible while the drill runs.
 */
public final class Timeline {
    /** A phase; times are epoch milliseconds. */
    public record Phase(String name, long start, long end, String note) {
        public long millis() {
            return end - start;
        }
    }

    /** A moment worth recording. */
    public record Event(long at, String text) {
    }

    private final List<Phase> phases = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final Consumer<String> listener;

    public Timeline(Consumer<String> listener) {
        this.listener = listener;
    }

    public synchronized void event(String text) {
        events.add(new Event(System.currentTimeMillis(), text));
        listener.accept(text);
    }

    /** Runs {@code body} as the phase {@code name}; its note is what body returns. */
    public <T> T phase(String name, java.util.function.Supplier<T> body, java.util.function.Function<T, String> note) {
        long start = System.currentTimeMillis();
        T result = body.get();
        long end = System.currentTimeMillis();
        String text = note.apply(result);
        synchronized (this) {
            phases.add(new Phase(name, start, end, text));
        }
        listener.accept(String.format("%-9s %6.2f s  %s", name, (end - start) / 1000.0, text));
        return result;
    }

    public void phase(String name, Runnable body, String note) {
        phase(name, () -> {
            body.run();
            return note;
        }, n -> n);
    }

    /** Records a phase measured elsewhere (e.g. the restore and replay parts of one recovery call). */
    public void record(String name, long start, long end, String note) {
        synchronized (this) {
            phases.add(new Phase(name, start, end, note));
        }
        listener.accept(String.format("%-9s %6.2f s  %s", name, (end - start) / 1000.0, note));
    }

    public synchronized List<Phase> phases() {
        return Collections.unmodifiableList(new ArrayList<>(phases));
    }

    public synchronized List<Event> events() {
        return Collections.unmodifiableList(new ArrayList<>(events));
    }
}
