package dev.lifeboat.repository.pack;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content-addressed names: an object's name is the SHA-256 of its stored bytes, so any change is detectable. */
public final class PackNames {
    private PackNames() {
    }

    public static String sha256(byte[] data) {
        return sha256(data, 0, data.length);
    }

    public static String sha256(byte[] data, int offset, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, offset, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code data/ab/ab12…}: packs are spread over 256 directories. */
    public static String packObject(String id) {
        return "data/" + id.substring(0, 2) + "/" + id;
    }

    /** The pack id in a pack object name, or null if the name is not one. */
    public static String packId(String objectName) {
        if (!objectName.startsWith("data/") || objectName.length() != 5 + 3 + 64) {
            return null;
        }
        return objectName.substring(8);
    }
}
