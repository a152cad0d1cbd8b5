package dev.lifeboat.repository.files;

/** Receives progress of long work; called from worker threads, so implementations must be thread-safe. */
public interface Progress {
    Progress NONE = (done, total, files) -> {
    };

    /**
     * @param done  bytes processed so far
     * @param total bytes expected in all (0 when unknown)
     * @param files files processed so far
     */
    void update(long done, long total, long files);
}
