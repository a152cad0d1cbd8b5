package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/reference/cli.md is every command's --help, generated from the code, so no command or option goes
 * undocumented; this test fails when the committed page differs. Regenerate with
 * {@code mvn -pl lifeboat-cli test -Dtest=CliReferenceTest -Dlifeboat.docs.write=true}.
 */
class CliReferenceTest {
    private static final Path PAGE = Path.of("..", "docs", "reference", "cli.md");

    static String markdown() {
        StringBuilder b = new StringBuilder("# Command-line reference\n\n");
        b.append("Every command's `--help`, generated from the code (`CliReferenceTest` keeps this page current). Exit statuses: ")
                .append("[exit-codes.md](exit-codes.md); plan keys: [config.md](config.md).\n");
        CommandLine root = new CommandLine(new Lifeboat());
        root.setUsageHelpWidth(120);
        append(b, root);
        return b.toString();
    }

    private static void append(StringBuilder b, CommandLine cl) {
        if (cl.getCommandSpec().usageMessage().hidden() || cl.getCommandName().equals("help")) {
            return;
        }
        cl.setUsageHelpWidth(120);
        b.append("\n## `").append(cl.getCommandSpec().qualifiedName()).append("`\n\n```text\n")
                .append(cl.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
        java.util.Map<String, CommandLine> subs = new java.util.TreeMap<>(); // by name, each once (aliases point at the same)
        cl.getSubcommands().values().forEach(sub -> subs.putIfAbsent(sub.getCommandName(), sub));
        subs.values().forEach(sub -> append(b, sub));
    }

    @Test
    void theCommandLineReferenceIsCurrent() throws Exception {
        String page = markdown();
        assertThat(page).contains("## `lifeboat repo sync`", "--verify", "## `lifeboat wal fetch`", "--cluster", "## `lifeboat repo info`");
        if (Boolean.getBoolean("lifeboat.docs.write")) {
            Files.writeString(PAGE, page);
        }
        assertThat(PAGE).as("%s exists (regenerate with -Dlifeboat.docs.write=true)", PAGE).exists();
        assertThat(Files.readString(PAGE)).as("%s is up to date (regenerate with -Dlifeboat.docs.write=true)", PAGE).isEqualTo(page);
    }
}
