package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code lifeboat repo}: the backup repository itself. */
@Command(name = "repo", mixinStandardHelpOptions = true,
        description = "Create, inspect, verify, prune and re-key the backup repository.",
        subcommands = {RepoInitCommand.class, RepoInfoCommand.class, RepoVerifyCommand.class, RepoPruneCommand.class,
                RepoRotateKeyCommand.class, RepoUnlockCommand.class, RepoStatusCommand.class, RepoSyncCommand.class})
public final class RepoCommand extends CommandGroup {
}
