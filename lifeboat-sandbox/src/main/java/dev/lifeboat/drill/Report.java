package dev.lifeboat.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drill's results as data ({@link #json}), as a table for the terminal ({@link #table}) and as a self-contained
 * HTML page with an inline SVG chart per scenario ({@link HtmlReport}): written to {@code report.json} and
 * {@code report.html} in the drill's directory.
 */
public final class Report {
    private final List<Outcome> outcomes;
    private final Map<String, String> notRun;
    private final Instant started;
    private final Path dir;

    public Report(List<Outcome> outcomes, Instant started, Path dir) {
        this(outcomes, Map.of(), started, dir);
    }

    /** {@code notRun}: scenarios that could not run at all (their sandbox did not start), with why; each fails the report. */
    public Report(List<Outcome> outcomes, Map<String, String> notRun, Instant started, Path dir) {
        this.outcomes = List.copyOf(outcomes);
        this.notRun = new LinkedHashMap<>(notRun);
        this.started = started;
        this.dir = dir;
    }

    public boolean passed() {
        return notRun.isEmpty() && outcomes.stream().allMatch(Outcome::passed);
    }

    public Path jsonFile() {
        return dir.resolve("report.json");
    }

    public Path htmlFile() {
        return dir.resolve("report.html");
    }

    /** The report as a JSON-ready map; with a single scenario its measurements are also at the top level. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", started.toString());
        m.put("dir", dir.toAbsolutePath().toString());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Outcome o : outcomes) {
            list.add(scenario(o));
        }
        if (list.size() == 1) {
            m.putAll(list.get(0));
        }
        m.put("scenarios", list);
        m.put("not_run", notRun);
        m.put("passed", passed());
        m.put("report_html", htmlFile().toAbsolutePath().toString());
        m.put("report_json", jsonFile().toAbsolutePath().toString());
        return m;
    }

    static Map<String, Object> scenario(Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", o.scenario());
        m.put("description", o.description());
        m.put("resource", o.resource());
        m.put("fault_at", Instant.ofEpochMilli(o.faultAt()).toString());
        m.put("restored_at", o.restoredAt() == null ? null : Instant.ofEpochMilli(o.restoredAt()).toString());
        m.put("rto_seconds", Double.isNaN(o.rtoSeconds()) ? null : round(o.rtoSeconds()));
        m.put("rpo_seconds", round(o.rpoSeconds()));
        m.put("lost_acknowledged_writes", o.lostAcknowledgedWrites());
        m.put("acknowledged_writes", o.acknowledgedWrites());
        m.put("validated", o.validated());
        m.put("validation", o.validation());
        m.put("targets", Map.of("rto_seconds", o.targets().rto().toSeconds(), "rpo_seconds", o.targets().rpo().toSeconds(),
                "components", o.targets().components()));
        m.put("rto_met", o.rtoMet());
        m.put("rpo_met", o.rpoMet());
        m.put("passed", o.passed());
        List<Map<String, Object>> phases = new ArrayList<>();
        for (Timeline.Phase p : o.phases()) {
            phases.add(Map.of("phase", p.name(), "start_offset_seconds", round((p.start() - o.faultAt()) / 1000.0), "seconds", round(p.millis() / 1000.0),
                    "note", p.note()));
        }
        m.put("phases", phases);
        m.put("events", o.events().stream().map(e -> Map.of("offset_seconds", round((e.at() - o.faultAt()) / 1000.0), "text", e.text())).toList());
        m.put("series", Map.of("start", Instant.ofEpochMilli(o.series().start()).toString(), "bucket_ms", o.series().bucketMillis(),
                "acknowledged", o.series().acknowledged(), "failed", o.series().failed()));
        return m;
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Writes report.json and report.html. */
    public void write() {
        try {
            Files.createDirectories(dir);
            Files.writeString(jsonFile(), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json()));
            Files.writeString(htmlFile(), HtmlReport.render(outcomes, notRun, started));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The summary table for the terminal. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%n%-16s %9s %10s %14s %9s %9s %9s  %s%n", "scenario", "RTO", "RTO target", "lost writes", "RPO", "RPO target",
                "validated", "result"));
        for (Outcome o : outcomes) {
            b.append(String.format("%-16s %8.2fs %10s %14s %8.2fs %9s %9s  %s%n", o.scenario(), o.rtoSeconds(),
                    dev.lifeboat.core.time.Durations.format(o.targets().rto()), o.lostAcknowledgedWrites() + " of " + o.acknowledgedWrites(),
                    o.rpoSeconds(), dev.lifeboat.core.time.Durations.format(o.targets().rpo()), o.validated() ? "yes" : "NO", o.passed() ? "PASS" : "FAIL"));
        }
        notRun.forEach((scenario, why) -> b.append(String.format("%-16s NOT RUN: %s%n", scenario, why)));
        b.append(String.format("%nTargets are the tightest of the plan's components that use the resource. Reports:%n  %s%n  %s%n",
                htmlFile().toAbsolutePath(), jsonFile().toAbsolutePath()));
        return b.toString();
    }
}
