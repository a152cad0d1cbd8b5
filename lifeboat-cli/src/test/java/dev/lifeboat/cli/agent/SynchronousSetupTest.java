package dev.lifeboat.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SynchronousSetupTest {
    private static final String AGENT = "lifeboat_lifeboat_app_db";

    @Test
    void theAgentIsNamedOnlyAsAWholeMember() {
        assertThat(SynchronousSetup.names("\"lifeboat_lifeboat_app_db\"", AGENT)).isTrue();
        assertThat(SynchronousSetup.names("lifeboat_lifeboat_app_db", AGENT)).isTrue();
        assertThat(SynchronousSetup.names("Lifeboat_Lifeboat_App_Db", AGENT)).as("compared without regard to case").isTrue();
        assertThat(SynchronousSetup.names("replica1, lifeboat_lifeboat_app_db", AGENT)).isTrue();
        assertThat(SynchronousSetup.names("FIRST 1 (replica1, \"lifeboat_lifeboat_app_db\")", AGENT)).isTrue();
        assertThat(SynchronousSetup.names("ANY 2 (replica1, lifeboat_lifeboat_app_db, replica2)", AGENT)).isTrue();
        assertThat(SynchronousSetup.names("2 (replica1, lifeboat_lifeboat_app_db)", AGENT)).isTrue();
        assertThat(SynchronousSetup.names("*", AGENT)).isTrue();
        assertThat(SynchronousSetup.names("lifeboat_lifeboat_app_db_copy", AGENT)).as("a longer name that contains it").isFalse();
        assertThat(SynchronousSetup.names("", AGENT)).isFalse();
        assertThat(SynchronousSetup.names("replica1", AGENT)).isFalse();
    }
}
