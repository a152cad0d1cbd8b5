package dev.lifeboat.repository.retention;

import dev.lifeboat.repository.Snapshot;
import java.util.List;

/** Whether a snapshot is kept, and every rule that keeps it (empty reasons: it is forgotten). */
public record Decision(Snapshot snapshot, boolean keep, List<String> reasons) {
}
