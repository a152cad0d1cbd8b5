package dev.lifeboat.cli.output;

import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The output options every command shares ({@code --json}) and where its output goes. A command declares
 * {@code @Mixin Output output;} and prints through it: JSON for scripts on stdout, text for people.
 */
public final class Output {
    @Option(names = "--json", description = "Print the result as JSON on stdout.")
    boolean json;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    public boolean json() {
        return json;
    }

    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    public PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints {@code value} as JSON with --json, else the text {@code text} builds. */
    public void emit(Object value, Supplier<String> text) {
        if (json) {
            out().println(Json.write(value));
        } else {
            out().print(text.get());
            out().flush();
        }
    }

    /**
     * Explains an automatic decision in one sentence on stderr (the command's timeline), so it never mixes with
     * results on stdout; also with --json.
     */
    public void decision(String sentence) {
        err().println("- " + sentence);
        err().flush();
    }

    /** A progress bar on stderr, silent with --json or without a terminal. */
    public ProgressBar progress(String label) {
        return new ProgressBar(err(), label, json);
    }
}
