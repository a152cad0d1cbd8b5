package dev.lifeboat.repository.store;

/**
 * What interrupted writes left in a store that no listing shows and no reader ever opens: a killed writer's
 * temporary files, an upload in parts that was never completed. They hold no repository data anyone depends on,
 * only space; prune removes those older than its grace period.
 *
 * @param count   how many
 * @param bytes   their size in all (0 where the store cannot tell, as for an unfinished upload in parts)
 * @param problem why some could not be looked for (a directory that may not be read, a store that refused to list
 *                uploads): housekeeping never fails the prune that does it, but says what it skipped
 */
public record Leftovers(int count, long bytes, java.util.Optional<String> problem) {
    public static final Leftovers NONE = new Leftovers(0, 0);

    public Leftovers(int count, long bytes) {
        this(count, bytes, java.util.Optional.empty());
    }

    /** None found, because looking failed for {@code why}. */
    public static Leftovers unknown(String why) {
        return new Leftovers(0, 0, java.util.Optional.of(why));
    }

    public Leftovers plus(Leftovers other) {
        java.util.Optional<String> both = problem.isEmpty() ? other.problem
                : other.problem.map(p -> problem.get() + "; " + p).or(() -> problem);
        return new Leftovers(count + other.count, bytes + other.bytes, both);
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
