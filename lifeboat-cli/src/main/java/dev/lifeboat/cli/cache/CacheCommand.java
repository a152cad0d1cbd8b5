package dev.lifeboat.cli.cache;

import dev.lifeboat.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code lifeboat cache}: work on a Redis cache. */
@Command(name = "cache", mixinStandardHelpOptions = true, description = "Work on a Redis cache.", subcommands = {CacheWarmCommand.class})
public final class CacheCommand extends CommandGroup {
}
