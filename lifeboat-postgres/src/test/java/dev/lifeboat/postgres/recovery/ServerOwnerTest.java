package dev.lifeboat.postgres.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerOwnerTest {
    @Test
    void localUsersAreLookedUpByName() {
        assertThat(ServerOwner.lookup("root")).hasValueSatisfying(ids -> assertThat(ids).containsExactly(0, 0));
        assertThat(ServerOwner.lookup("no-such-user-of-lifeboat")).isEmpty();
    }
}
