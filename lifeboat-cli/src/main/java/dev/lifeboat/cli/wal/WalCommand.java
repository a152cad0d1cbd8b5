package dev.lifeboat.cli.wal;

import dev.lifeboat.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code lifeboat wal}: WAL commands for PostgreSQL's archive and restore hooks. */
@Command(name = "wal", mixinStandardHelpOptions = true, description = "WAL commands for PostgreSQL's restore_command.",
        subcommands = {WalFetchCommand.class})
public final class WalCommand extends CommandGroup {
}
