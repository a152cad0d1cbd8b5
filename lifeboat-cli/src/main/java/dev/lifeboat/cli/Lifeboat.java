package dev.lifeboat.cli;

import dev.lifeboat.cli.output.Failure;
import dev.lifeboat.cli.agent.AgentCommand;
import dev.lifeboat.cli.backup.BackupCommand;
import dev.lifeboat.cli.cache.CacheCommand;
import dev.lifeboat.cli.demo.DemoCommand;
import dev.lifeboat.cli.wal.WalCommand;
import dev.lifeboat.cli.failover.FailoverCommand;
import dev.lifeboat.cli.health.HealthCommand;
import dev.lifeboat.cli.backups.BackupsCommand;
import dev.lifeboat.cli.plan.PlanCommand;
import dev.lifeboat.cli.recover.RecoverCommand;
import dev.lifeboat.cli.repo.RepoCommand;
import dev.lifeboat.cli.restore.RestoreCommand;
import dev.lifeboat.cli.snapshots.SnapshotsCommand;
import dev.lifeboat.cli.verify.VerifyCommand;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lifeboat} command: parses, delegates to one class per command, and turns failures into exit codes. */
@Command(name = "lifeboat",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
                "Disaster recovery as software: protect, recover, prove and operate from one DR plan.",
                "",
                "The plan is read from --config, else $LIFEBOAT_CONFIG, else ./lifeboat.yaml.",
                "Start with: lifeboat plan check --config examples/learning-assistant/lifeboat.yaml"},
        subcommands = {PlanCommand.class, RepoCommand.class, BackupCommand.class, RestoreCommand.class, RecoverCommand.class,
                SnapshotsCommand.class, BackupsCommand.class, VerifyCommand.class, dev.lifeboat.cli.status.StatusCommand.class, AgentCommand.class, FailoverCommand.class,
                HealthCommand.class, CacheCommand.class, DemoCommand.class, WalCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: docs/reference/exit-codes.md. Plan keys: docs/reference/config.md."})
public final class Lifeboat implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a command, e.g. 'lifeboat plan check'.");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    private static final ThreadLocal<Map<String, String>> ENVIRONMENT = ThreadLocal.withInitial(System::getenv);

    /** The environment commands read (the process environment, or the one a test passed to {@link #run}). */
    public static Map<String, String> environment() {
        return ENVIRONMENT.get();
    }

    private static final ThreadLocal<PrintWriter> ERR = new ThreadLocal<>();

    /** Says a warning on the running command's standard error ("lifeboat: warning: ..."); never on stdout (--json). */
    public static void warn(String sentence) {
        PrintWriter err = ERR.get();
        if (err != null) {
            err.println("lifeboat: warning: " + sentence);
            err.flush();
        }
    }

    /** Runs a command line and returns its exit status; never throws. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, System.getenv());
    }

    /** Runs a command line with a given environment (tests); returns its exit status; never throws. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        ENVIRONMENT.set(env);
        ERR.set(err);
        try {
            return execute(args, out, err);
        } finally {
            ENVIRONMENT.remove();
            ERR.remove();
        }
    }

    private static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean json = Arrays.asList(args).contains("--json");
        boolean debug = Arrays.asList(args).contains("--debug") || "1".equals(environment().get("LIFEBOAT_DEBUG"));
        String[] effective = Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        CommandLine cl = new CommandLine(new Lifeboat());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            String message = ex.getMessage();
            Failure.print(new LifeboatException(ErrorCode.USAGE, message,
                    "Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' to see its arguments and options."), json, out, err);
            // As restore_command, exit 2 would read as "no such file" to PostgreSQL, which would end recovery early and
            // promote without the rest of the WAL: a mistyped restore_command must stop recovery instead.
            return ex.getCommandLine().getCommandSpec().qualifiedName().endsWith("wal fetch") ? 126 : ErrorCode.USAGE.exitStatus();
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            LifeboatException failure = ex instanceof LifeboatException le ? le
                    : new LifeboatException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(ex.getClass().getSimpleName()
                    + (ex.getMessage() != null ? ": " + ex.getMessage() : "")), null, ex);
            Failure.print(failure, json, out, err);
            if (debug) {
                ex.printStackTrace(err);
            }
            return failure.exitStatus();
        });
        try {
            return cl.execute(effective);
        } finally {
            out.flush();
            err.flush();
        }
    }
}
