package dev.lifeboat.core.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** Generates {@code docs/reference/config.md} from the plan schema, so the page cannot drift from the code. */
public final class ConfigReference {
    private ConfigReference() {
    }

    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Plan file reference (`lifeboat.yaml`)\n\n");
        b.append("<!-- Generated from the schema in lifeboat-core (ConfigReference). Do not edit by hand: run\n");
        b.append("     mvn -pl lifeboat-core test -Dlifeboat.docs.write=true   to regenerate. -->\n\n");
        b.append("The plan is read from `--config FILE`, else `$LIFEBOAT_CONFIG`, else `./lifeboat.yaml`. ");
        b.append("`examples/learning-assistant/lifeboat.yaml` is a complete example. Every key is listed below, section by section; ");
        b.append("an unknown key is an error (with a \"did you mean\"), so a typo never silently disables protection.\n\n");
        b.append("Value notation:\n\n");
        b.append("- **duration**: a positive number and a unit: `ms`, `s`, `m`, `h`, `d`, `w`, `y` (365 days), combined largest first (`1h30m`).\n");
        b.append("- **cron**: five fields in UTC, `minute hour day-of-month month day-of-week`, quoted. `*/15`, `1-5`, `MON-FRI`, and `6#1` ");
        b.append("(first Saturday of the month) are accepted; when both day fields are restricted a day matches either, and a field starting with `*` (also `*/2`) is unrestricted, so a day must then match both (as in Vixie cron and cronie). ");
        b.append("Macros: `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`.\n");
        b.append("- **secret**: `{env: VARIABLE}` or `{file: /path}`. A secret written inline is refused (`LB031 inline-secret`).\n");
        b.append("- **names** of components, data classes, resources, regions, schedules, contacts, channels and templates use lower-case ");
        b.append("letters, digits, `-`, `_` and `.`.\n\n");

        Set<String> seen = new LinkedHashSet<>();
        Deque<ObjectSchema<?>> queue = new ArrayDeque<>();
        queue.add(PlanSchema.root("lifeboat.yaml"));
        while (!queue.isEmpty()) {
            ObjectSchema<?> s = queue.poll();
            if (!seen.add(s.title())) {
                continue;
            }
            b.append("## ").append(s.title()).append("\n\n").append(s.description()).append("\n\n");
            b.append("| key | value | required | default | meaning |\n|---|---|---|---|---|\n");
            for (Field<?> f : s.fields()) {
                ObjectSchema<?> child = f.type().section();
                String value = f.type().describe().replace("|", "\\|");
                if (child != null) {
                    value = value.replace(child.title() + " section", "[" + child.title() + "](#" + anchor(child.title()) + ") section");
                    queue.add(child);
                }
                b.append("| `").append(f.key()).append("` | ").append(value).append(" | ")
                        .append(f.required() ? "yes" : "no").append(" | ")
                        .append(f.defaultText() == null ? "" : f.defaultText().replace("|", "\\|")).append(" | ")
                        .append(f.description().replace("|", "\\|")).append(" |\n");
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String anchor(String title) {
        return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
    }
}
