package dev.lifeboat.repository.files;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One line of a snapshot's tree listing: a directory, file or symbolic link, relative to the backup's root, with
 * the metadata restore puts back.
 *
 * @param path   relative path with {@code /} separators; "" is the root itself
 * @param type   {@code dir}, {@code file} or {@code symlink}
 * @param mode   POSIX permission bits
 * @param mtime  modification time, nanoseconds since the epoch
 * @param size   file size in bytes
 * @param chunks chunk ids (hex) of a file's content, in order
 * @param target a symbolic link's target, as written
 * @param uid    owner, when known
 * @param gid    group, when known
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TreeEntry(String path, String type, int mode, long mtime, Long size, List<String> chunks, String target,
                        Integer uid, Integer gid) {
    public static final String DIR = "dir";
    public static final String FILE = "file";
    public static final String SYMLINK = "symlink";
}
