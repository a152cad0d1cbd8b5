package dev.lifeboat.repository.check;

import java.util.List;

/**
 * What verification checked and found.
 *
 * @param deep      whether every pack was read and every blob decrypted
 * @param snapshots snapshots checked
 * @param indexes   index objects read
 * @param packs     packs present
 * @param blobs     blobs indexed
 * @param bytesRead bytes read from the store
 * @param problems  everything wrong; empty means the repository verifies
 * @param notes     facts that are not problems (e.g. packs left by an interrupted backup)
 */
public record VerifyReport(boolean deep, int snapshots, int indexes, int packs, long blobs, long bytesRead,
                           List<Finding> problems, List<String> notes) {
    public boolean ok() {
        return problems.isEmpty();
    }
}
