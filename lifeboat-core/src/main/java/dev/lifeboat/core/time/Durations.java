package dev.lifeboat.core.time;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in a DR plan: {@code 30s}, {@code 5m}, {@code 4h}, {@code 30d}, {@code 2w},
 * {@code 7y}, or combined, largest unit first, as {@code 1h30m}. A year is 365 days and a week 7 days; calendar-aware
 * retention (months of different lengths) is the retention policy's business, not the duration's.
 */
public final class Durations {
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d|w|y))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");
    private static final String[] UNITS = {"y", "w", "d", "h", "m", "s"};
    private static final long[] SECONDS = {365L * 86400, 7L * 86400, 86400, 3600, 60, 1};

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong, if the text is not a duration
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.matches(".*\\dM.*")) {
            // 12M is months to most readers and would be 12 minutes here: a retention of minutes instead of a year.
            throw new IllegalArgumentException("'" + text + "': M is not a unit (m is minutes; for months write days, e.g. 30d or 365d)");
        }
        t = t.toLowerCase(Locale.ROOT);
        if (!WHOLE.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration");
        }
        Duration total = Duration.ZERO;
        int lastRank = -1;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is too large");
            }
            String unit = m.group(2);
            int rank = rank(unit);
            if (rank <= lastRank) {
                throw new IllegalArgumentException("'" + text + "' repeats a unit or is not written largest unit first");
            }
            lastRank = rank;
            try {
                total = total.plus(unit.equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(Math.multiplyExact(n, SECONDS[rank])));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is too large");
            }
        }
        return total;
    }

    private static int rank(String unit) {
        for (int i = 0; i < UNITS.length; i++) {
            if (UNITS[i].equals(unit)) {
                return i;
            }
        }
        return UNITS.length; // ms
    }

    /** Tenths of seconds under a minute ("0.4 s", for lags), {@link #format} above. */
    public static String formatBrief(Duration d) {
        return d.toMillis() < 60_000 ? String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0) : format(d);
    }

    /** Formats a duration in the same notation, e.g. {@code 1h30m}, {@code 7y}, {@code 0s}. */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long s = d.getSeconds();
        int ms = d.toMillisPart();
        if (s == 0 && ms == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        // Weeks only when the whole duration is a number of weeks under a year: "30d" reads better than "4w2d".
        boolean weeks = s % SECONDS[1] == 0 && s < SECONDS[0] && ms == 0;
        for (int i = 0; i < UNITS.length; i++) {
            if (UNITS[i].equals("w") && !weeks) {
                continue;
            }
            long n = s / SECONDS[i];
            if (n > 0) {
                b.append(n).append(UNITS[i]);
                s -= n * SECONDS[i];
            }
        }
        if (ms > 0) {
            b.append(ms).append("ms");
        }
        return b.toString();
    }
}
