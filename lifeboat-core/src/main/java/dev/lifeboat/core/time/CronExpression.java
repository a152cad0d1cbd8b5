package dev.lifeboat.core.time;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A five-field cron expression evaluated in UTC: {@code minute hour day-of-month month day-of-week}.
 *
 * <p>Fields accept {@code *}, numbers, ranges {@code a-b}, steps {@code * /n} and {@code a-b/n}, lists {@code a,b},
 * month names {@code JAN}–{@code DEC} and day names {@code SUN}–{@code SAT} (0 and 7 are Sunday). The
 * day-of-week field also accepts {@code D#n}, the n-th such weekday of the month ({@code 6#1}, {@code SAT#1}: the first
 * Saturday), which plain cron lacks and DR schedules need. As in Vixie cron and cronie, when both day-of-month and
 * day-of-week are restricted a day matches if <em>either</em> matches; a field starting with {@code *} (also
 * {@code * /2}) counts as unrestricted, and then a day must match both ({@code 0 3 * /2 * MON}: odd days that are
 * Mondays). The macros {@code @hourly}, {@code @daily}, {@code @weekly},
 * {@code @monthly} and {@code @yearly} are accepted.
 */
public final class CronExpression {
    private static final Map<String, String> MACROS = Map.of(
            "@hourly", "0 * * * *", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
            "@weekly", "0 0 * * 0", "@monthly", "0 0 1 * *", "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *");
    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    /** Search horizon for the next firing; an expression that never fires within it is rejected. */
    private static final int HORIZON_DAYS = 366 * 8 + 2;

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    /** nth[d] has bit k set when "d#k" was given (k = 1..5). */
    private final BitSet[] nthWeekday;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private CronExpression(String text, BitSet minutes, BitSet hours, BitSet dom, BitSet months, BitSet dow,
                           BitSet[] nth, boolean domRestricted, boolean dowRestricted) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = dom;
        this.months = months;
        this.daysOfWeek = dow;
        this.nthWeekday = nth;
        this.domRestricted = domRestricted;
        this.dowRestricted = dowRestricted;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException with a sentence naming the field and what is wrong with it
     */
    public static CronExpression parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the expression is empty");
        }
        String expanded = text.trim();
        if (expanded.startsWith("@")) {
            String macro = MACROS.get(expanded.toLowerCase(Locale.ROOT));
            if (macro == null) {
                throw new IllegalArgumentException("unknown macro '" + expanded + "' (known: @hourly, @daily, @weekly, @monthly, @yearly)");
            }
            expanded = macro;
        }
        String[] f = expanded.toUpperCase(Locale.ROOT).split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("expected 5 fields (minute hour day-of-month month day-of-week), found " + f.length);
        }
        BitSet min = field("minute", f[0], 0, 59, null);
        BitSet hr = field("hour", f[1], 0, 23, null);
        BitSet dom = field("day-of-month", f[2], 1, 31, null);
        BitSet mon = field("month", f[3], 1, 12, MONTHS);
        BitSet[] nth = new BitSet[7];
        BitSet dow = dayOfWeekField(f[4], nth);
        CronExpression c = new CronExpression(text.trim(), min, hr, dom, mon, dow, nth,
                !f[2].startsWith("*") && !f[2].equals("?"), !f[4].startsWith("*") && !f[4].equals("?"));
        if (c.next(LocalDateTime.of(2000, 1, 1, 0, 0)).isEmpty()) {
            throw new IllegalArgumentException("the expression never fires (e.g. a day that does not exist in the month)");
        }
        return c;
    }

    private static BitSet dayOfWeekField(String spec, BitSet[] nth) {
        BitSet plain = new BitSet(7);
        StringBuilder rest = new StringBuilder();
        for (String part : spec.split(",", -1)) {
            int hash = part.indexOf('#');
            if (hash < 0) {
                rest.append(rest.length() == 0 ? "" : ",").append(part);
                continue;
            }
            int day = value("day-of-week", part.substring(0, hash), 0, 7, DAYS) % 7;
            int n;
            try {
                n = Integer.parseInt(part.substring(hash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("day-of-week '" + part + "': the part after # must be 1 to 5");
            }
            if (n < 1 || n > 5) {
                throw new IllegalArgumentException("day-of-week '" + part + "': the part after # must be 1 to 5");
            }
            if (nth[day] == null) {
                nth[day] = new BitSet(6);
            }
            nth[day].set(n);
        }
        if (rest.length() > 0) {
            BitSet parsed = field("day-of-week", rest.toString(), 0, 7, DAYS);
            if (parsed.get(7)) {
                parsed.set(0);
                parsed.clear(7);
            }
            plain.or(parsed);
        }
        return plain;
    }

    private static BitSet field(String name, String spec, int lo, int hi, String[] names) {
        BitSet set = new BitSet(hi + 1);
        if (spec.isEmpty()) {
            throw new IllegalArgumentException(name + " is empty");
        }
        for (String part : spec.split(",", -1)) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException(name + " '" + spec + "' has an empty list item");
            }
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                try {
                    step = Integer.parseInt(part.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + " '" + part + "': the step after / must be a number");
                }
                if (step < 1 || step > hi) {
                    throw new IllegalArgumentException(name + " '" + part + "': the step must be between 1 and " + hi);
                }
            }
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = lo;
                to = hi;
            } else if (range.indexOf('-') > 0) {
                int dash = range.indexOf('-');
                from = value(name, range.substring(0, dash), lo, hi, names);
                to = value(name, range.substring(dash + 1), lo, hi, names);
                if (to < from) {
                    throw new IllegalArgumentException(name + " '" + part + "': the range runs backwards");
                }
            } else {
                from = value(name, range, lo, hi, names);
                to = slash >= 0 ? hi : from;
            }
            for (int v = from; v <= to; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static int value(String name, String token, int lo, int hi, String[] names) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(token)) {
                    return names == MONTHS ? i + 1 : i;
                }
            }
        }
        int v;
        try {
            v = Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + token + "' is not a number" + (names != null ? " or a name" : ""));
        }
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(name + " value " + v + " is out of range " + lo + "-" + hi);
        }
        return v;
    }

    /** The first firing strictly after {@code after} (UTC, minute resolution), if any within eight years. */
    public Optional<LocalDateTime> next(LocalDateTime after) {
        LocalDateTime start = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDate day = start.toLocalDate();
        for (int i = 0; i < HORIZON_DAYS; i++, day = day.plusDays(1)) {
            if (!months.get(day.getMonthValue()) || !dayMatches(day)) {
                continue;
            }
            boolean first = day.equals(start.toLocalDate());
            for (int h = hours.nextSetBit(first ? start.getHour() : 0); h >= 0; h = hours.nextSetBit(h + 1)) {
                int fromMinute = first && h == start.getHour() ? start.getMinute() : 0;
                int m = minutes.nextSetBit(fromMinute);
                if (m >= 0) {
                    return Optional.of(day.atTime(h, m));
                }
            }
        }
        return Optional.empty();
    }

    private boolean dayMatches(LocalDate day) {
        boolean dom = daysOfMonth.get(day.getDayOfMonth());
        int d = day.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : day.getDayOfWeek().getValue();
        boolean dow = daysOfWeek.get(d)
                || (nthWeekday[d] != null && nthWeekday[d].get((day.getDayOfMonth() - 1) / 7 + 1));
        // Vixie cron and cronie: a day field starting with '*' (also '*/2') is unrestricted, and then both fields must
        // match (the '*' one by its own steps); only when both are restricted does either suffice.
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronExpression c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
