package dev.lifeboat.core.config;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Plan;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and validates a plan file. Every problem in the file is reported at once, each with its position.
 *
 * <p>Which file: an explicit path, else {@code LIFEBOAT_CONFIG}, else {@code ./lifeboat.yaml}.
 */
public final class PlanLoader {
    public static final String ENV = "LIFEBOAT_CONFIG";
    public static final String DEFAULT_FILE = "lifeboat.yaml";

    private PlanLoader() {
    }

    /** The file to read given an optional explicit path and the environment. */
    public static Path locate(Optional<Path> explicit, Map<String, String> env) {
        if (explicit.isPresent()) {
            return explicit.get();
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Path.of(DEFAULT_FILE);
    }

    /**
     * Loads a plan file.
     *
     * @throws LifeboatException {@code config-not-found}, {@code config-unreadable}, or {@link PlanInvalidException}
     */
    public static Plan load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw LifeboatException.of(ErrorCode.CONFIG_NOT_FOUND, file);
        } catch (CharacterCodingException e) {
            throw LifeboatException.of(ErrorCode.CONFIG_UNREADABLE, file, "it is not UTF-8 text");
        } catch (IOException e) {
            throw LifeboatException.of(ErrorCode.CONFIG_UNREADABLE, file, Files.isDirectory(file) ? "it is a directory" : e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** Validates plan text; {@code source} names it in messages. */
    public static Plan parse(String source, String text) {
        Problems problems = new Problems();
        YamlNode root = new YamlReader(source, problems).read(text);
        if (root == null && problems.isEmpty()) {
            problems.add(new Position(source, 1, 1), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format("the plan", "version"),
                    "The file is empty; start from examples/learning-assistant/lifeboat.yaml.");
        }
        if (!problems.isEmpty()) {
            throw new PlanInvalidException(source, problems.sorted());
        }
        Binding binding = new Binding(problems);
        Plan plan = PlanSchema.root(source).bind(root, "", null, binding);
        binding.finish();
        if (!problems.isEmpty() || plan == null) {
            throw new PlanInvalidException(source, problems.sorted());
        }
        return plan;
    }
}
