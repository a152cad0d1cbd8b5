package dev.lifeboat.repository.store;

/**
 * What interrupted writes left in a store that no listing shows and no reader ever opens: a killed writer's
 * temporary files, an upload in parts that was never completed. They hold no repository data anyone depends on,
 * only space; prune removes those older than its grace period.
 *
 * @param count how many
 * @param bytes their size in all (0 where the store cannot tell, as for an unfinished upload in parts)
 */
public record Leftovers(int count, long bytes) {
    public static final Leftovers NONE = new Leftovers(0, 0);

    public Leftovers plus(Leftovers other) {
        return new Leftovers(count + other.count, bytes + other.bytes);
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
