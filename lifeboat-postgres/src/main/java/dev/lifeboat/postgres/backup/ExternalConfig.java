package dev.lifeboat.postgres.backup;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.files.TreeWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Configuration files a cluster keeps outside its data directory, as Debian and Ubuntu do
 * ({@code /etc/postgresql/15/main/postgresql.conf}, {@code pg_hba.conf}, {@code pg_ident.conf}): without them a
 * restored data directory does not start. The backup stores them as the data directory's own files (only where the
 * data directory has none), made self-contained: settings that point at the original's files and directories
 * ({@code data_directory}, {@code hba_file}, {@code ident_file}, {@code external_pid_file},
 * {@code stats_temp_directory}) are commented out, since a copy started with them would use the original's data
 * directory, authentication files or PID file; {@code include}, {@code include_if_exists} and {@code include_dir}
 * are replaced by the text they include, recursively, each relative to its own file's directory as PostgreSQL
 * resolves them. The text is kept byte for byte otherwise (read as ISO-8859-1, whatever its encoding). The files
 * are read before the backup starts, so an unreadable one fails the backup at once. The manifest records where
 * they came from.
 */
final class ExternalConfig {
    static final Pattern POINTS_AT_ORIGINAL = Pattern.compile(
            "^\\s*(data_directory|hba_file|ident_file|external_pid_file|stats_temp_directory)\\b.*", Pattern.CASE_INSENSITIVE);
    /** An include directive: its name, then its value quoted (with '' or \' inside) or bare. */
    static final Pattern INCLUDE = Pattern.compile(
            "^\\s*(include_dir|include_if_exists|include)\\s*=?\\s*(?:'((?:[^'\\\\]|''|\\\\.)*)'|([^\\s#']+)).*", Pattern.CASE_INSENSITIVE);
    /** PostgreSQL's own limit on include depth. */
    static final int MAX_DEPTH = 10;

    /** A file to store: its name in the data directory, its bytes, and the original path. */
    record Captured(String as, byte[] content, String from, String setting) {
    }

    private ExternalConfig() {
    }

    /** Reads the external files (before the backup starts). */
    static List<Captured> read(Statement st, Path dataDir) throws SQLException {
        List<String[]> files = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT name, setting FROM pg_settings WHERE name IN ('config_file', 'hba_file', 'ident_file') ORDER BY name")) {
            while (rs.next()) {
                files.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        List<Captured> out = new ArrayList<>();
        for (String[] f : files) {
            Path file = Path.of(f[1]);
            String as = switch (f[0]) {
                case "config_file" -> "postgresql.conf";
                case "hba_file" -> "pg_hba.conf";
                default -> "pg_ident.conf";
            };
            try {
                if (!Files.isRegularFile(file) || file.toRealPath().startsWith(dataDir) || Files.exists(dataDir.resolve(as))) {
                    continue;
                }
                String text = Files.readString(file, StandardCharsets.ISO_8859_1);
                if (as.equals("postgresql.conf")) {
                    text = selfContained(text, file.getParent());
                }
                out.add(new Captured(as, text.getBytes(StandardCharsets.ISO_8859_1), file.toString(), f[0]));
            } catch (IOException e) {
                throw new LifeboatException(ErrorCode.USAGE, "cannot read the cluster's " + f[0] + " " + file + ": " + e.getMessage(),
                        "The backup stores configuration kept outside the data directory: run it as a user that can read it (postgres or root).", e);
            }
        }
        return out;
    }

    /** Stores what {@link #read} found into {@code tree} and records it in {@code labels}. */
    static void store(List<Captured> files, TreeWriter tree, long mtime, Integer uid, Integer gid, Map<String, String> labels) throws IOException {
        for (Captured c : files) {
            tree.file(c.as(), c.content(), 0600, mtime, uid, gid);
            labels.put("external_" + c.setting(), c.from());
        }
    }

    /** The text of {@code postgresql.conf} in {@code dir}, with includes inlined and settings that point at the original commented out. */
    static String selfContained(String text, Path dir) throws IOException {
        StringBuilder out = new StringBuilder();
        inline(text, dir, out, 0);
        return out.toString();
    }

    private static void inline(String text, Path dir, StringBuilder out, int depth) throws IOException {
        for (String line : text.split("\\r?\\n", -1)) {
            Matcher inc = INCLUDE.matcher(line);
            if (POINTS_AT_ORIGINAL.matcher(line).matches()) {
                out.append("# lifeboat: points at the original cluster's files, so not in a copy: ").append(line).append('\n');
            } else if (inc.matches()) {
                if (depth >= MAX_DEPTH) {
                    throw new IOException("includes nest deeper than " + MAX_DEPTH + " levels at '" + line.trim() + "'");
                }
                String value = inc.group(2) != null ? inc.group(2).replace("''", "'").replace("\\'", "'") : inc.group(3);
                Path target = dir.resolve(value);
                out.append("# lifeboat: inlined below: ").append(line).append('\n');
                List<Path> parts = new ArrayList<>();
                if (inc.group(1).equalsIgnoreCase("include_dir")) {
                    if (Files.isDirectory(target)) {
                        try (Stream<Path> s = Files.list(target)) {
                            s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".conf")
                                    && !p.getFileName().toString().startsWith(".")).sorted().forEach(parts::add);
                        }
                    }
                } else if (Files.isRegularFile(target)) {
                    parts.add(target);
                }
                for (Path p : parts) {
                    out.append("# lifeboat: from ").append(p).append('\n');
                    inline(Files.readString(p, StandardCharsets.ISO_8859_1), p.getParent(), out, depth + 1);
                }
            } else {
                out.append(line).append('\n');
            }
        }
    }
}
