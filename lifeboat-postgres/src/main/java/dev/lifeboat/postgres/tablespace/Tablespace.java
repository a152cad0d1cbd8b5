package dev.lifeboat.postgres.tablespace;

import dev.lifeboat.repository.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A user tablespace as a base backup recorded it: its OID (the name of its link in {@code pg_tblspc}), its name,
 * and where the cluster kept it ({@code location}; empty for an in-place tablespace inside the data directory).
 * The backup stores its contents under {@code pg_tblspc/OID/} as plain directories, whatever the link pointed at.
 */
public record Tablespace(String oid, String name, String location) {
    /** Label prefix in a backup's manifest: {@code tablespace.OID.name} and {@code tablespace.OID.location}. */
    public static final String LABEL = "tablespace.";

    /** Adds this tablespace's labels to a manifest's. */
    public void label(Map<String, String> labels) {
        labels.put(LABEL + oid + ".name", name);
        labels.put(LABEL + oid + ".location", location);
    }

    /** The tablespaces a backup recorded, by OID. */
    public static List<Tablespace> of(Snapshot backup) {
        Map<String, String> labels = backup.manifest().labels();
        List<Tablespace> out = new ArrayList<>();
        labels.keySet().stream().filter(k -> k.startsWith(LABEL) && k.endsWith(".name")).sorted().forEach(k -> {
            String oid = k.substring(LABEL.length(), k.length() - ".name".length());
            if (!oid.matches("[0-9]+")) { // it names a path in the restore: never anything but a number
                throw dev.lifeboat.core.error.LifeboatException.of(dev.lifeboat.core.error.ErrorCode.OBJECT_CORRUPT,
                        "backup " + backup.shortId() + " names a tablespace '" + oid + "', which is not an OID");
            }
            out.add(new Tablespace(oid, labels.get(k), labels.getOrDefault(LABEL + oid + ".location", "")));
        });
        return out;
    }

    /** Its path in a data directory and in a backup's tree. */
    public String link() {
        return "pg_tblspc/" + oid;
    }

    @Override
    public String toString() {
        return name + " (" + oid + (location.isEmpty() ? ", in place" : ", was " + location) + ")";
    }
}
