package dev.lifeboat.core.error;

/** Generates {@code docs/reference/exit-codes.md} from {@link ErrorCode}. */
public final class ExitCodeReference {
    private ExitCodeReference() {
    }

    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Exit codes and error codes\n\n");
        b.append("<!-- Generated from ErrorCode in lifeboat-core (ExitCodeReference). Do not edit by hand: run\n");
        b.append("     mvn -pl lifeboat-core test -Dlifeboat.docs.write=true   to regenerate. -->\n\n");
        b.append("Every failure carries a stable code, shown as `LBnnn name`, with a hint saying what to do. ");
        b.append("The number is also the process exit status, except codes 21–39: they name the individual problems of an invalid ");
        b.append("plan, and a command that finds any of them exits with 20 (`plan-invalid`) after listing them all. ");
        b.append("Numbers and names never change meaning; a retired code is never reused.\n\n");
        b.append("With `--json`, a failure is printed on stdout as `{\"error\": {\"code\", \"name\", \"exit_status\", \"message\", \"hint\"");
        b.append(", \"problems\": [...]}}`. Commands whose result is a report (`verify`, `repo verify`, `repo sync`, `repo status`, `status`, `health`, `plan check`, "
                + "`demo` and drills) exit with the report's code (e.g. 80 `verify-failed`, 98 `protection-degraded`) and print "
                + "the report itself, whose `ok` (or `problems`) says what failed, instead of an `error` object. `failover postgres` "
                + "prints its report for 97 (`repoint-failed`: promoted, the re-point failed) and for a `--dry-run`; its other "
                + "failures are `error` objects.\n\n");
        b.append("| code | name | exit status | meaning | hint |\n|---|---|---|---|---|\n");
        b.append("| 0 | — | 0 | success | |\n");
        for (ErrorCode c : ErrorCode.values()) {
            b.append("| ").append(c.number()).append(" | `").append(c.id()).append("` | ").append(c.exitStatus()).append(" | ")
                    .append(c.messagePattern().replace("%s", "…").replace("%d", "…").replace("|", "\\|")).append(" | ")
                    .append(c.hint().replace("%s", "…").replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }
}
