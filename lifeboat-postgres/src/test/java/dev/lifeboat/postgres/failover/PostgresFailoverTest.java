package dev.lifeboat.postgres.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.wal.Lsn;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class PostgresFailoverTest {
    @Test
    void aReplicaHasCaughtUpOnlyOnceItHasReceivedEveryRecord() {
        assertThat(PostgresFailover.missing(Lsn.parse("0/3000100"), Lsn.parse("0/3000100"))).isZero();
        assertThat(PostgresFailover.missing(Lsn.parse("0/3000100"), Lsn.parse("0/3000200"))).isZero();
        assertThat(PostgresFailover.missing(Lsn.parse("0/3000100"), Lsn.parse("0/3000000"))).isEqualTo(0x100);
        // The insert position just past a page boundary points after the new page's header, which no record fills yet.
        assertThat(PostgresFailover.missing(Lsn.parse("0/3002018"), Lsn.parse("0/3002000"))).isZero();
        assertThat(PostgresFailover.missing(Lsn.parse("0/4000028"), Lsn.parse("0/4000000"))).as("a segment's long header").isZero();
        assertThat(PostgresFailover.missing(Lsn.parse("0/3002018"), Lsn.parse("0/3001FF0"))).as("a record before the page is missing")
                .isEqualTo(0x28);
        assertThat(PostgresFailover.missing(Lsn.parse("0/3002030"), Lsn.parse("0/3002000"))).as("a record on the new page").isEqualTo(0x30);
    }

    @Test
    void onlyAConnectionThatFailedBeforeTheServerAnsweredCountsAsDown() {
        assertThat(PostgresFailover.unreachable(new SQLException("Connection refused", "08001"))).isTrue();
        assertThat(PostgresFailover.unreachable(new SQLException("the database system is shutting down", "57P03"))).isTrue();
        assertThat(PostgresFailover.unreachable(new SQLException("password authentication failed", "28P01"))).isFalse();
        assertThat(PostgresFailover.unreachable(new SQLException("sorry, too many clients already", "53300"))).isFalse();
        assertThat(PostgresFailover.unreachable(new SQLException("permission denied to set parameter", "42501"))).isFalse();
    }
}
