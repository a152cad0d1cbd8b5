package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.lock.RepositoryLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat repo rotate-key}. */
@Command(name = "rotate-key", mixinStandardHelpOptions = true,
        description = {"Rotate the repository's keys without re-encrypting any data.",
                "",
                "Creates a new data key for everything written from now on and a new master key, keeps every older data "
                + "key (old snapshots stay readable), and replaces every key object with one for the new passphrase or "
                + "key file (or the current one when none is given). Old passphrases stop working."})
public final class RepoRotateKeyCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Option(names = "--new-passphrase-file", paramLabel = "FILE", description = "The passphrase to use from now on.")
    Path newPassphraseFile;

    @Option(names = "--new-key-file", paramLabel = "FILE", description = "A key file to use from now on instead.")
    Path newKeyFile;

    @Mixin
    Output output;

    @Override
    public Integer call() {
        if (newKeyFile != null && newPassphraseFile != null) {
            throw new LifeboatException(ErrorCode.USAGE, "--new-key-file and --new-passphrase-file exclude each other",
                    "Give the one credential the repository is to be opened with from now on.");
        }
        Repository repo = access.open();
        Credentials next;
        try {
            if (newKeyFile != null) {
                next = new Credentials.KeyFile(Files.readAllBytes(newKeyFile));
            } else if (newPassphraseFile != null) {
                next = new Credentials.Passphrase(Files.readString(newPassphraseFile, StandardCharsets.UTF_8).strip().toCharArray());
            } else {
                // The credential that just opened the repository, never a second prompt: a typo there would become the
                // only passphrase, with the old key objects deleted.
                next = access.openedWith().orElseThrow(() -> LifeboatException.of(ErrorCode.KEY_REQUIRED, "no credential to keep"));
            }
        } catch (IOException e) {
            throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "cannot read the new key source: " + e.getMessage());
        } catch (IllegalArgumentException e) { // an empty passphrase, a key file under 32 bytes
            throw new LifeboatException(ErrorCode.USAGE, "the new credential is unusable: " + e.getMessage(),
                    "A passphrase must not be empty; a key file holds at least 32 random bytes (e.g. head -c 32 /dev/urandom).");
        }
        try (RepositoryLock lock = repo.lockExclusive("rotate-key")) {
            Repository rotated = repo.rotateKey(next, Optional.empty());
            output.emit(java.util.Map.of("rotated", true, "keys", rotated.keySummary()), () -> "Rotated keys: " + rotated.keySummary()
                    + ". New data is encrypted with the new data key; older snapshots stay readable.\n"
                    + "Restart every running 'lifeboat agent' on this repository: until it restarts, it seals new WAL and backups "
                    + "with the data key it read at its start.\n");
        }
        access.finishCopies(output.err(), 30_000);
        return 0;
    }
}
