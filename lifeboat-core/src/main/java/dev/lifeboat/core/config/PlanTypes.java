package dev.lifeboat.core.config;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.Frequency;
import dev.lifeboat.core.plan.Secret;
import dev.lifeboat.core.time.CronExpression;
import dev.lifeboat.core.time.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** The value types particular to DR plans: durations, frequencies, cron, percentages, endpoints and secrets. */
public final class PlanTypes {
    private PlanTypes() {
    }

    /** A positive duration such as {@code 30m}. */
    public static Type<Duration> duration() {
        return Type.scalar("a duration (30s, 5m, 4h, 30d, 7y, 1h30m)", ErrorCode.BAD_DURATION, s -> {
            Duration d = parseDuration(s);
            if (d.isZero()) {
                throw new IllegalArgumentException("'" + s + "' is zero; it must be longer than that");
            }
            return d;
        });
    }

    /** A duration that may be zero ({@code 0s}, or {@code immediate}). */
    public static Type<Duration> durationOrZero() {
        return Type.scalar("a duration, or 0s / immediate", ErrorCode.BAD_DURATION, s -> {
            if (s.trim().equalsIgnoreCase("immediate") || s.trim().equals("0")) {
                return Duration.ZERO;
            }
            return parseDuration(s);
        });
    }

    private static Duration parseDuration(String s) {
        String t = s.trim();
        if (t.startsWith("-")) {
            throw new IllegalArgumentException("'" + s + "' is negative; durations are positive");
        }
        if (t.matches("\\d+")) {
            throw Type.withHint("'" + s + "' has no unit", "Add a unit: " + t + "s, " + t + "m, " + t + "h or " + t + "d.");
        }
        return Durations.parse(t);
    }

    /** {@code real-time}, {@code hourly}, {@code daily}, {@code weekly}, or a duration. */
    public static Type<Frequency> frequency() {
        return Type.scalar("real-time, hourly, daily, weekly or a duration", ErrorCode.BAD_DURATION, s -> {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "real-time", "realtime", "continuous":
                    return new Frequency.RealTime();
                case "hourly":
                    return new Frequency.Every(Duration.ofHours(1));
                case "daily":
                    return new Frequency.Every(Duration.ofDays(1));
                case "weekly":
                    return new Frequency.Every(Duration.ofDays(7));
                default:
                    Duration d = parseDuration(s);
                    if (d.isZero()) {
                        throw Type.withHint("'" + s + "' is zero", "Write real-time for continuous capture.");
                    }
                    return new Frequency.Every(d);
            }
        });
    }

    public static Type<CronExpression> cron() {
        return Type.scalar("a 5-field cron expression in UTC, quoted", ErrorCode.BAD_CRON, CronExpression::parse);
    }

    /** A percentage written {@code 99.9%} (the % is optional), between 0 and 100. */
    public static Type<Double> percent() {
        return Type.scalar("a percentage such as 99.9%", ErrorCode.BAD_VALUE, s -> {
            String t = s.trim().endsWith("%") ? s.trim().substring(0, s.trim().length() - 1) : s.trim();
            double v;
            try {
                v = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a percentage");
            }
            if (!(v > 0 && v <= 100)) {
                throw new IllegalArgumentException("'" + s + "' is not between 0% and 100%");
            }
            return v;
        });
    }

    public static Type<Endpoint> endpoint() {
        return Type.scalar("host:port", ErrorCode.BAD_VALUE, Endpoint::parse);
    }

    /** A secret's source: {@code {env: NAME}} or {@code {file: PATH}}; an inline value is refused. */
    public static Type<Secret> secret() {
        return new Type<>() {
            @Override
            public String describe() {
                return "{env: VARIABLE} or {file: PATH}";
            }

            @Override
            Secret bind(YamlNode node, String path, Binding b) {
                if (node instanceof YamlNode.Scalar) {
                    // Never echo the value: it may be the secret itself.
                    b.report(node.at(), ErrorCode.INLINE_SECRET, ErrorCode.INLINE_SECRET.format(path), null);
                    return null;
                }
                if (!(node instanceof YamlNode.Mapping m)) {
                    b.report(node.at(), ErrorCode.WRONG_TYPE, ErrorCode.WRONG_TYPE.format(path, describe(), node.shape()), null);
                    return null;
                }
                Optional<String> env = Optional.empty();
                Optional<String> file = Optional.empty();
                for (YamlNode.Entry e : m.entries().values()) {
                    String text = e.value() instanceof YamlNode.Scalar s && !s.isNull() ? s.text() : null;
                    if (!e.key().equals("env") && !e.key().equals("file")) {
                        b.report(e.keyAt(), ErrorCode.UNKNOWN_KEY, ErrorCode.UNKNOWN_KEY.format(e.key(), path),
                                "A secret has exactly one of the keys env and file.");
                        return null;
                    }
                    if (text == null || text.isBlank()) {
                        b.report(e.value().at(), ErrorCode.WRONG_TYPE, ErrorCode.WRONG_TYPE.format(path + "." + e.key(), "a name", e.value().shape()), null);
                        return null;
                    }
                    if (e.key().equals("env")) {
                        if (!text.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                            b.report(e.value().at(), ErrorCode.BAD_VALUE, ErrorCode.BAD_VALUE.format(path + ".env", "not an environment variable name"),
                                    "Write the variable's name, e.g. {env: PGPASSWORD}, not its value.");
                            return null;
                        }
                        env = Optional.of(text);
                    } else {
                        file = Optional.of(text);
                    }
                }
                if (env.isPresent() == file.isPresent()) {
                    b.report(m.at(), ErrorCode.BAD_VALUE, ErrorCode.BAD_VALUE.format(path, "needs exactly one of env and file"), null);
                    return null;
                }
                return new Secret(env, file);
            }
        };
    }
}
