package dev.lifeboat.postgres.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.wal.Lsn;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class PostgresFailoverTest {
    private static final long SEG = 16 * 1024 * 1024;

    private static long missing(String end, String received) {
        return PostgresFailover.missing(Lsn.parse(end), Lsn.parse(received), SEG);
    }

    @Test
    void aReplicaHasCaughtUpOnlyOnceItHasReceivedEveryRecord() {
        assertThat(missing("0/3000100", "0/3000100")).isZero();
        assertThat(missing("0/3000100", "0/3000200")).isZero();
        assertThat(missing("0/3000100", "0/3000000")).isEqualTo(0x100);
        // The insert position just past a page boundary points after the new page's header, which no record fills yet:
        // 24 bytes on an ordinary page, 40 on a segment's first.
        assertThat(missing("0/3002018", "0/3002000")).isZero();
        assertThat(missing("0/4000028", "0/4000000")).as("a segment's long header").isZero();
        // Past the header by a few bytes: the tail of a record that crossed the page boundary, maybe a commit.
        assertThat(missing("0/3002020", "0/3002000")).as("8 bytes of record after a short header").isEqualTo(0x20);
        assertThat(missing("0/3002028", "0/3002000")).as("an ordinary page has no 40-byte header").isEqualTo(0x28);
        assertThat(missing("0/3002018", "0/3001FF0")).as("a record before the page is missing").isEqualTo(0x28);
        assertThat(missing("0/3002030", "0/3002000")).as("a record on the new page").isEqualTo(0x30);
    }

    @Test
    void onlyAConnectionThatFailedBeforeTheServerAnsweredCountsAsDown() {
        assertThat(PostgresFailover.unreachable(new SQLException("Connection refused", "08001"))).isTrue();
        assertThat(PostgresFailover.unreachable(new SQLException("FATAL: the database system is shutting down", "57P03"))).isTrue();
        assertThat(PostgresFailover.unreachable(new SQLException("FATAL: the database system is starting up", "57P03")))
                .as("crash recovery after a restart: it takes writes again soon").isFalse();
        assertThat(PostgresFailover.unreachable(new SQLException("password authentication failed", "28P01"))).isFalse();
        assertThat(PostgresFailover.unreachable(new SQLException("sorry, too many clients already", "53300"))).isFalse();
        assertThat(PostgresFailover.unreachable(new SQLException("permission denied to set parameter", "42501"))).isFalse();
    }
}
