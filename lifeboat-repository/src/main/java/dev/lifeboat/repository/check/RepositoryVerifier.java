package dev.lifeboat.repository.check;

import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Layout;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.codec.DamagedObjectException;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeEntry;
import dev.lifeboat.repository.files.TreeReader;
import dev.lifeboat.repository.index.BlobIndex;
import dev.lifeboat.repository.pack.PackNames;
import dev.lifeboat.repository.pack.PackReader;
import dev.lifeboat.repository.pack.PackedBlob;
import dev.lifeboat.repository.store.ObjectInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a repository. Quick: every index and snapshot object opens and authenticates, every chunk a snapshot
 * refers to is indexed, and every indexed pack exists and is long enough. Deep: also reads every pack, checks its
 * SHA-256 name and header, and decrypts and checks every blob. Each problem names its object and the snapshots it
 * affects; verification itself never stops at the first problem.
 */
public final class RepositoryVerifier {
    private final Repository repo;

    public RepositoryVerifier(Repository repo) {
        this.repo = repo;
    }

    public VerifyReport run(boolean deep, Progress progress) {
        List<Finding> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long[] bytesRead = {0};

        // Indexes, tolerating damage: what a damaged index described shows up as missing chunks below.
        BlobIndex index = new BlobIndex();
        List<ObjectInfo> indexObjects = repo.store().list(Layout.INDEX);
        for (ObjectInfo info : indexObjects) {
            try {
                index.addAll(info.name(), repo.readIndex(info.name(), false)); // damage reported where it is, not read around
                bytesRead[0] += info.size();
            } catch (LifeboatException e) {
                problems.add(new Finding(info.name(), e.getMessage(), new ArrayList<>()));
            }
        }

        // Packs: present, long enough, and (deep) intact blob by blob.
        Map<String, ObjectInfo> packs = new HashMap<>();
        for (ObjectInfo info : repo.store().list(Layout.DATA)) {
            String id = PackNames.packId(info.name());
            if (id != null) {
                packs.put(id, info);
            }
        }
        Map<String, List<PackedBlob>> byPack = new HashMap<>();
        for (PackedBlob b : index.all()) {
            byPack.computeIfAbsent(b.pack(), k -> new ArrayList<>()).add(b);
        }
        Map<ChunkId, String> bad = new HashMap<>();
        Map<String, Finding> packFindings = new LinkedHashMap<>();
        long total = packs.values().stream().mapToLong(ObjectInfo::size).sum();
        long done = 0;
        for (Map.Entry<String, List<PackedBlob>> e : byPack.entrySet()) {
            String object = PackNames.packObject(e.getKey());
            ObjectInfo info = packs.get(e.getKey());
            if (info == null) {
                e.getValue().forEach(b -> bad.put(b.id(), object));
                packFindings.put(object, new Finding(object, "pack is missing (" + e.getValue().size() + " chunks)", new ArrayList<>()));
                continue;
            }
            long needed = e.getValue().stream().mapToLong(b -> (long) b.offset() + b.length()).max().orElse(0);
            if (info.size() < needed) {
                e.getValue().stream().filter(b -> (long) b.offset() + b.length() > info.size()).forEach(b -> bad.put(b.id(), object));
                packFindings.put(object, new Finding(object, "pack is truncated: " + info.size() + " bytes, index needs " + needed,
                        new ArrayList<>()));
            }
            if (deep) {
                byte[] bytes = repo.store().get(object);
                bytesRead[0] += bytes.length;
                done += bytes.length;
                progress.update(done, total, 0);
                checkPack(e.getKey(), object, bytes, e.getValue(), bad, packFindings);
            }
        }
        Set<String> orphans = new TreeSet<>(packs.keySet());
        orphans.removeAll(byPack.keySet());
        if (!orphans.isEmpty()) {
            notes.add(orphans.size() + " pack(s) are in no index (left by an interrupted backup); 'lifeboat repo prune' removes them");
        }

        // Snapshots: every chunk they need is indexed and not bad.
        List<String> ids = repo.snapshots().ids();
        Map<String, Set<String>> affected = new LinkedHashMap<>();
        for (String id : ids) {
            Snapshot s;
            try {
                s = repo.snapshots().load(id, false);
            } catch (LifeboatException e) {
                problems.add(new Finding(Layout.SNAPSHOTS + id, e.getMessage(), List.of(id.substring(0, 8))));
                continue;
            }
            checkSnapshot(s, index, bad, affected, problems);
        }
        for (Finding f : packFindings.values()) {
            problems.add(new Finding(f.object(), f.problem(), new ArrayList<>(affected.getOrDefault(f.object(), Set.of()))));
        }
        for (Finding f : new ArrayList<>(problems)) {
            if (f.object().startsWith(Layout.INDEX) && f.snapshots().isEmpty()) {
                problems.set(problems.indexOf(f), new Finding(f.object(), f.problem(),
                        new ArrayList<>(affected.getOrDefault("missing", Set.of()))));
            }
        }
        return new VerifyReport(deep, ids.size(), indexObjects.size(), packs.size(), index.size(), bytesRead[0], problems, notes);
    }

    private void checkPack(String id, String object, byte[] bytes, List<PackedBlob> indexed, Map<ChunkId, String> bad,
                           Map<String, Finding> findings) {
        List<String> wrong = new ArrayList<>();
        if (!PackNames.sha256(bytes).equals(id)) {
            wrong.add("content does not match its name (SHA-256)");
        }
        try {
            Set<ChunkId> inHeader = new HashSet<>();
            PackReader.blobsUnchecked(id, bytes, repo.sealer()).forEach(b -> inHeader.add(b.id()));
            long notInHeader = indexed.stream().filter(b -> !inHeader.contains(b.id())).count();
            if (notInHeader > 0) {
                wrong.add(notInHeader + " indexed chunk(s) are not in the pack's header");
            }
        } catch (DamagedObjectException e) {
            wrong.add("header: " + e.getMessage());
        }
        int damaged = 0;
        for (PackedBlob b : indexed) {
            try {
                repo.openBlob(b, bytes, b.offset());
            } catch (DamagedObjectException e) {
                bad.put(b.id(), object);
                damaged++;
            }
        }
        if (damaged > 0) {
            wrong.add(damaged + " of " + indexed.size() + " chunk(s) fail authentication or their id check");
        }
        if (!wrong.isEmpty()) {
            findings.put(object, new Finding(object, "pack is damaged: " + String.join("; ", wrong), new ArrayList<>()));
        }
    }

    private void checkSnapshot(Snapshot s, BlobIndex index, Map<ChunkId, String> bad, Map<String, Set<String>> affected,
                               List<Finding> problems) {
        Set<String> missing = new LinkedHashSet<>();
        boolean[] broken = {false};
        for (String hex : s.manifest().tree()) {
            note(ChunkId.parse(hex), s, index, bad, affected, missing, broken);
        }
        if (broken[0]) {
            problems.add(new Finding(s.objectName(), "its tree listing cannot be read", List.of(s.shortId())));
            return;
        }
        try {
            TreeReader.forEach(repo, s, index, false, e -> {
                if (TreeEntry.FILE.equals(e.type())) {
                    for (String hex : e.chunks()) {
                        note(ChunkId.parse(hex), s, index, bad, affected, missing, broken);
                    }
                }
            });
        } catch (LifeboatException e) {
            problems.add(new Finding(s.objectName(), "its tree listing cannot be read: " + e.getMessage(), List.of(s.shortId())));
        }
        if (!missing.isEmpty()) {
            problems.add(new Finding(s.objectName(), missing.size() + " chunk(s) it needs are in no index, e.g. "
                    + missing.iterator().next(), List.of(s.shortId())));
            affected.computeIfAbsent("missing", k -> new TreeSet<>()).add(s.shortId());
        }
    }

    private static void note(ChunkId id, Snapshot s, BlobIndex index, Map<ChunkId, String> bad, Map<String, Set<String>> affected,
                             Set<String> missing, boolean[] broken) {
        if (!index.contains(id)) {
            missing.add(id.shortHex());
            broken[0] = true;
            return;
        }
        String object = bad.get(id);
        if (object != null) {
            affected.computeIfAbsent(object, k -> new TreeSet<>()).add(s.shortId());
            broken[0] = true;
        }
    }
}
