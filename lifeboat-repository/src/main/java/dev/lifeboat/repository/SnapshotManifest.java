package dev.lifeboat.repository;

import java.util.List;
import java.util.Map;

/**
 * The content of a {@code snapshots/<sha256>} object: everything needed to restore one backup, with no catalog
 * database. Written last, only after every pack and index it refers to is durable.
 *
 * @param format  manifest format (1)
 * @param time    when the backup started, ISO-8601 UTC
 * @param ended   when it was committed
 * @param host    the machine that took it
 * @param kind    what was backed up: {@code directory} (later: {@code postgres}, {@code redis} …)
 * @param name    the backup's name (the resource or source name), groups snapshots for retention
 * @param source  what was read, e.g. the directory path
 * @param tags    free labels, e.g. the data classes it holds
 * @param chunker how content was split, e.g. {@code fastcdc/16384/65536/262144}
 * @param tree    chunk ids (hex) of the tree listing, in order; their concatenation is the listing
 * @param stats   sizes and counts
 * @param labels  kind-specific facts (e.g. PostgreSQL start and stop LSN)
 */
public record SnapshotManifest(int format, String time, String ended, String host, String kind, String name, String source,
                               List<String> tags, String chunker, List<String> tree, Stats stats, Map<String, String> labels) {
    public static final int FORMAT = 1;

    /**
     * @param files       regular files
     * @param directories directories
     * @param bytes       logical size of all file content
     * @param newBytes    file content bytes this backup had to store (not already in the repository)
     * @param storedBytes everything this backup stored (new content and its tree listing), compressed and encrypted
     * @param chunks      content chunks referenced
     * @param newChunks   content chunks written by this backup
     * @param millis      duration
     */
    public record Stats(long files, long directories, long bytes, long newBytes, long storedBytes, long chunks, long newChunks,
                        long millis) {
    }
}
