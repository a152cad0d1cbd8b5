package dev.lifeboat.cli.agent;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What on the primary keeps {@code agent --synchronous} from giving RPO zero, said when the agent starts: the agent
 * reports WAL as written when it has received it and as flushed only when the repository holds it, so commits wait
 * for the repository only with {@code synchronous_commit} {@code on} or {@code remote_apply}, and only when the
 * agent is named in {@code synchronous_standby_names}.
 */
final class SynchronousSetup {
    /** Opens a connection to the primary. */
    interface Connector {
        Connection open() throws SQLException;
    }

    private SynchronousSetup() {
    }

    /** One sentence per problem; empty when commits will wait for the repository (or the primary cannot be asked). */
    static List<String> problems(Connector primary, String applicationName) {
        List<String> out = new ArrayList<>();
        try (Connection c = primary.open(); Statement st = c.createStatement()) {
            String commit = one(st, "SHOW synchronous_commit").toLowerCase(Locale.ROOT);
            String names = one(st, "SHOW synchronous_standby_names");
            if (!commit.equals("on") && !commit.equals("remote_apply")) {
                out.add("synchronous_commit = " + commit + " on the primary: commits return " + switch (commit) {
                    case "remote_write" -> "once the agent has received their WAL, before the repository holds it";
                    case "local" -> "once their WAL is on the primary's own disk, without waiting for the agent";
                    default -> "before even the primary's disk holds their WAL";
                } + "; set it to on (or remote_apply) for RPO zero");
            }
            if (!names(names, applicationName)) {
                out.add("synchronous_standby_names = '" + names + "' on the primary does not name " + applicationName
                        + ": commits do not wait for the agent");
            }
        } catch (SQLException e) {
            // The receiver reports an unreachable primary itself; this check only adds to a working setup.
        }
        return out;
    }

    /**
     * Whether {@code synchronous_standby_names} names {@code applicationName}: a member of its list, or of a
     * {@code FIRST n (...)} / {@code ANY n (...)} group, quoted or not (the server compares them without regard to
     * case), or {@code *}.
     */
    static boolean names(String setting, String applicationName) {
        String list = setting.replaceAll("(?i)^\\s*(FIRST|ANY)?\\s*\\d+\\s*\\(", "").replaceAll("\\)\\s*$", "");
        for (String member : list.split(",")) {
            String m = member.trim();
            if (m.length() >= 2 && m.startsWith("\"") && m.endsWith("\"")) {
                m = m.substring(1, m.length() - 1).replace("\"\"", "\"");
            }
            if (m.equals("*") || m.equalsIgnoreCase(applicationName)) {
                return true;
            }
        }
        return false;
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
