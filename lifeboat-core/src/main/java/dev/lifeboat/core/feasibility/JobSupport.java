package dev.lifeboat.core.feasibility;

import dev.lifeboat.core.plan.ConfigSource;
import dev.lifeboat.core.plan.Job;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.core.plan.PostgresCluster;
import java.util.Optional;

/**
 * Which protection jobs this build of Lifeboat actually runs for which resources. The plan's schema describes more
 * than is built yet (bucket mirrors and backups, git and Kubernetes configuration): a schedule naming those must not
 * count as protection, or {@code plan check} reports targets met that nothing delivers. The agent says the same at its
 * start. One place, so the check and the agent cannot disagree.
 */
public final class JobSupport {
    private JobSupport() {
    }

    /**
     * Why this build does not run {@code job} for {@code resource}, or empty when it does. Only protection jobs are
     * judged (backup, wal, mirror); verify, prune and the rest protect nothing by themselves.
     */
    public static Optional<String> notRun(Plan plan, Job job, String resource) {
        var r = plan.resources();
        switch (job) {
            case WAL:
                return r.postgres().containsKey(resource) ? Optional.empty()
                        : Optional.of("WAL streaming is for PostgreSQL clusters, and '" + resource + "' is not one");
            case MIRROR:
                return Optional.of("this build of Lifeboat cannot mirror buckets yet");
            case BACKUP:
                if (r.redis().containsKey(resource)) {
                    return Optional.empty();
                }
                PostgresCluster pg = r.postgres().get(resource);
                if (pg != null) {
                    return pg.dataDir().isPresent() ? Optional.empty()
                            : Optional.of("a base backup reads the data directory on the database host: give the cluster 'data-dir' "
                                    + "and run the agent there");
                }
                ConfigSource c = r.configSources().get(resource);
                if (c != null) {
                    return c.type() == ConfigSource.Type.DIRECTORY ? Optional.empty()
                            : Optional.of("this build backs up configuration directories only, not " + c.type().name().toLowerCase()
                                    + " sources (back up a checkout or an export with a directory source)");
                }
                if (r.buckets().containsKey(resource)) {
                    return Optional.of("this build of Lifeboat cannot back up buckets yet");
                }
                return Optional.of("'" + resource + "' is no resource this build backs up");
            default:
                return Optional.empty();
        }
    }
}
