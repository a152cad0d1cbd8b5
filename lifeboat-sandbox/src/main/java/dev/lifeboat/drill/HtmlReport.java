package dev.lifeboat.drill;

import dev.lifeboat.core.time.Durations;
import java.time.Instant;
import java.util.List;

/**
 * The drill report as one HTML file that needs nothing else (no scripts, fonts or CDN): per scenario a summary,
 * an SVG chart of acknowledged writes per 250 ms with the fault (red) and the first write after recovery (green)
 * marked and the phases drawn as bands, the phase table, the validation and the timeline.
 */
final class HtmlReport {
    private HtmlReport() {
    }

    static String render(List<Outcome> outcomes, java.util.Map<String, String> notRun, Instant started) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lifeboat drill report</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}")
                .append("table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append(".pass{color:#0a7d2c;font-weight:bold}.fail{color:#b00020;font-weight:bold}.muted{color:#666}")
                .append("svg{background:#fafafa;border:1px solid #ddd}</style></head><body>");
        h.append("<h1>Lifeboat drill report</h1><p class=\"muted\">Started ").append(esc(started.toString()))
                .append(". RTO is measured at the client, from the fault to the first acknowledged write after the outage; lost writes are ")
                .append("acknowledged writes missing after recovery, from the client's ledger.</p>");
        h.append("<table><tr><th>scenario</th><th>RTO</th><th>RTO target</th><th>lost acknowledged writes</th><th>RPO</th><th>RPO target</th>")
                .append("<th>validated</th><th>result</th></tr>");
        for (Outcome o : outcomes) {
            h.append("<tr><td><a href=\"#").append(o.scenario()).append("\">").append(o.scenario()).append("</a></td><td>")
                    .append(String.format("%.2f s", o.rtoSeconds())).append("</td><td>").append(Durations.format(o.targets().rto())).append("</td><td>")
                    .append(o.lostAcknowledgedWrites()).append(" of ").append(o.acknowledgedWrites()).append("</td><td>")
                    .append(String.format("%.2f s", o.rpoSeconds())).append("</td><td>").append(Durations.format(o.targets().rpo())).append("</td><td>")
                    .append(o.validated() ? "yes" : "no").append("</td><td class=\"").append(o.passed() ? "pass\">PASS" : "fail\">FAIL")
                    .append("</td></tr>");
        }
        for (java.util.Map.Entry<String, String> n : notRun.entrySet()) {
            h.append("<tr><td>").append(esc(n.getKey())).append("</td><td colspan=\"6\">could not run: ").append(esc(n.getValue()))
                    .append("</td><td class=\"fail\">FAIL</td></tr>");
        }
        h.append("</table>");
        for (Outcome o : outcomes) {
            h.append("<h2 id=\"").append(o.scenario()).append("\">").append(esc(o.scenario())).append("</h2><p>").append(esc(o.description()))
                    .append(". Affected: ").append(esc(String.join(", ", o.targets().components()))).append(".</p>");
            h.append(chart(o));
            h.append("<table><tr><th>phase</th><th>starts after the fault</th><th>took</th><th>what happened</th></tr>");
            for (Timeline.Phase p : o.phases()) {
                h.append("<tr><td>").append(esc(p.name())).append("</td><td>").append(String.format("%.2f s", (p.start() - o.faultAt()) / 1000.0))
                        .append("</td><td>").append(String.format("%.2f s", p.millis() / 1000.0)).append("</td><td>").append(esc(p.note())).append("</td></tr>");
            }
            h.append("</table><p><b>Validation:</b> ").append(esc(String.join("; ", o.validation()))).append("</p><details><summary>Timeline</summary><ul>");
            for (Timeline.Event e : o.events()) {
                h.append("<li>").append(String.format("%+.2f s ", (e.at() - o.faultAt()) / 1000.0)).append(esc(e.text())).append("</li>");
            }
            h.append("</ul></details>");
        }
        return h.append("</body></html>\n").toString();
    }

    private static String chart(Outcome o) {
        Outcome.Series s = o.series();
        int n = Math.max(1, s.acknowledged().size());
        int w = 1000;
        int ht = 220;
        int pad = 30;
        int max = Math.max(1, s.acknowledged().stream().mapToInt(Integer::intValue).max().orElse(1));
        double bw = (w - 2.0 * pad) / n;
        StringBuilder c = new StringBuilder();
        c.append("<svg id=\"chart-").append(o.scenario()).append("\" class=\"chart\" width=\"").append(w).append("\" height=\"").append(ht)
                .append("\" viewBox=\"0 0 ").append(w).append(' ').append(ht).append("\" role=\"img\" aria-label=\"acknowledged writes per 250 ms\">");
        for (Timeline.Phase p : o.phases()) {
            double x0 = x(p.start(), s, bw, pad);
            double x1 = Math.max(x0 + 1, x(p.end(), s, bw, pad));
            c.append(String.format("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#ffe9a8\" opacity=\"0.5\"><title>%s</title></rect>",
                    x0, pad, x1 - x0, ht - 2 * pad, esc(p.name())));
        }
        for (int i = 0; i < s.acknowledged().size(); i++) {
            int v = s.acknowledged().get(i);
            double bh = (ht - 2.0 * pad) * v / max;
            c.append(String.format("<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b78c4\"/>", pad + i * bw,
                    ht - pad - bh, Math.max(0.5, bw - 0.5), bh));
            if (s.failed().get(i) > 0) {
                c.append(String.format("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"4\" fill=\"#b00020\"/>", pad + i * bw, ht - pad + 2, Math.max(0.5, bw - 0.5)));
            }
        }
        c.append(marker(x(o.faultAt(), s, bw, pad), "#b00020", "fault", ht, pad));
        if (o.restoredAt() != null) {
            c.append(marker(x(o.restoredAt(), s, bw, pad), "#0a7d2c", String.format("writes again (+%.2f s)", o.rtoSeconds()), ht, pad));
        }
        c.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#666\">acknowledged writes per 250 ms (max %d); red ticks: failed requests; "
                + "bands: recovery phases</text>", pad, ht - 8, max));
        return c.append("</svg>").toString();
    }

    private static String marker(double x, String color, String label, int ht, int pad) {
        return String.format("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>",
                x, pad - 5, x, ht - pad, color, x + 3, pad - 8, color, esc(label));
    }

    private static double x(long t, Outcome.Series s, double bw, int pad) {
        return pad + (t - s.start()) / (double) s.bucketMillis() * bw;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
