package dev.lifeboat.postgres.backup;

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
 * are replaced by the text they include. The manifest records where they came from.
 */
final class ExternalConfig {
    static final Pattern POINTS_AT_ORIGINAL = Pattern.compile(
            "^\\s*(data_directory|hba_file|ident_file|external_pid_file|stats_temp_directory)\\b.*");
    static final Pattern INCLUDE = Pattern.compile("^\\s*(include_dir|include_if_exists|include)\\s*=?\\s*'([^']*)'.*");

    private ExternalConfig() {
    }

    /** Stores the external files into {@code tree} and records them in {@code labels}; returns what was stored. */
    static List<String> capture(Statement st, Path dataDir, TreeWriter tree, long mtime, Integer uid, Integer gid, Map<String, String> labels)
            throws SQLException, IOException {
        List<String> stored = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT name, setting FROM pg_settings WHERE name IN ('config_file', 'hba_file', 'ident_file') ORDER BY name")) {
            List<String[]> files = new ArrayList<>();
            while (rs.next()) {
                files.add(new String[] {rs.getString(1), rs.getString(2)});
            }
            for (String[] f : files) {
                Path file = Path.of(f[1]);
                String as = switch (f[0]) {
                    case "config_file" -> "postgresql.conf";
                    case "hba_file" -> "pg_hba.conf";
                    default -> "pg_ident.conf";
                };
                if (!Files.isRegularFile(file) || file.toRealPath().startsWith(dataDir) || Files.exists(dataDir.resolve(as))) {
                    continue;
                }
                String text = Files.readString(file, StandardCharsets.UTF_8);
                if (as.equals("postgresql.conf")) {
                    text = selfContained(text, file.getParent());
                }
                tree.file(as, text.getBytes(StandardCharsets.UTF_8), 0600, mtime, uid, gid);
                labels.put("external_" + f[0], file.toString());
                stored.add(as);
            }
        }
        return stored;
    }

    /** The text of {@code postgresql.conf} in {@code dir}, with includes inlined and settings that point at the original commented out. */
    static String selfContained(String text, Path dir) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            Matcher inc = INCLUDE.matcher(line);
            if (POINTS_AT_ORIGINAL.matcher(line).matches()) {
                out.append("# lifeboat: points at the original cluster's files, so not in a copy: ").append(line).append('\n');
            } else if (inc.matches()) {
                out.append("# lifeboat: inlined below: ").append(line).append('\n');
                Path target = dir.resolve(inc.group(2));
                List<Path> parts = new ArrayList<>();
                if (inc.group(1).equals("include_dir") && Files.isDirectory(target)) {
                    try (Stream<Path> s = Files.list(target)) {
                        s.filter(p -> p.getFileName().toString().endsWith(".conf") && !p.getFileName().toString().startsWith("."))
                                .sorted().forEach(parts::add);
                    }
                } else if (Files.isRegularFile(target)) {
                    parts.add(target);
                }
                for (Path p : parts) {
                    out.append("# lifeboat: from ").append(p).append('\n');
                    for (String l : Files.readString(p, StandardCharsets.UTF_8).split("\n", -1)) {
                        out.append(POINTS_AT_ORIGINAL.matcher(l).matches() ? "# lifeboat: points at the original cluster's files: " + l : l).append('\n');
                    }
                }
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }
}
