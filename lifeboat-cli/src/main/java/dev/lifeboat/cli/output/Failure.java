package dev.lifeboat.cli.output;

import dev.lifeboat.core.config.PlanInvalidException;
import dev.lifeboat.core.config.Problem;
import dev.lifeboat.core.error.LifeboatException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints a failure for people (stderr: {@code file:line:col: error[LBnnn name]: message} and a hint) or for scripts
 * (stdout, with --json: {@code {"error": {...}}}). Never prints a stack trace.
 */
public final class Failure {
    private Failure() {
    }

    public static void print(LifeboatException e, boolean json, PrintWriter out, PrintWriter err) {
        if (json) {
            out.println(Json.write(Map.of("error", toMap(e))));
            return;
        }
        if (e instanceof PlanInvalidException p) {
            for (Problem problem : p.problems()) {
                err.println(problem.at() + ": error[" + problem.code().label() + "]: " + problem.message());
                if (problem.hint() != null) {
                    err.println("    hint: " + problem.hint());
                }
            }
            err.println("lifeboat: " + e.getMessage() + " [" + e.code().label() + ", exit " + e.exitStatus() + "]");
            return;
        }
        err.println("lifeboat: error[" + e.code().label() + "]: " + e.getMessage());
        if (e.hint() != null) {
            err.println("    hint: " + e.hint());
        }
    }

    static Map<String, Object> toMap(LifeboatException e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", e.code().number());
        m.put("name", e.code().id());
        m.put("exit_status", e.exitStatus());
        m.put("message", e.getMessage());
        m.put("hint", e.hint());
        if (e instanceof PlanInvalidException p) {
            List<Map<String, Object>> problems = new ArrayList<>();
            for (Problem problem : p.problems()) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("file", problem.at().file());
                pm.put("line", problem.at().line());
                pm.put("column", problem.at().column());
                pm.put("code", problem.code().number());
                pm.put("name", problem.code().id());
                pm.put("message", problem.message());
                pm.put("hint", problem.hint());
                problems.add(pm);
            }
            m.put("problems", problems);
        }
        return m;
    }
}
