package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the lifeboat command in-process, as a user would from a shell, and captures what it says. */
final class Cli {
    private Cli() {
    }

    /** Exit status, stdout and stderr of one run. */
    record Result(int status, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Lifeboat.run(args, new PrintWriter(out), new PrintWriter(err), env);
        return new Result(status, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(System.getenv(), args);
    }
}
