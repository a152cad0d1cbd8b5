package dev.lifeboat.cli.failover;

import dev.lifeboat.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code lifeboat failover}: move the primary role to a replica. */
@Command(name = "failover", mixinStandardHelpOptions = true, description = "Move the primary role to a replica.",
        subcommands = {FailoverPostgresCommand.class, FailoverRedisCommand.class})
public final class FailoverCommand extends CommandGroup {
}
