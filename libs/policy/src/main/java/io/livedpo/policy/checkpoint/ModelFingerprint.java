package io.livedpo.policy.checkpoint;

import io.livedpo.common.Sha256;
import io.livedpo.policy.io.CheckpointFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Identifies a base model by content, so an adapter is never applied to a model it was not trained on:
 * {@code "sha256:<hex>"} over config.json's bytes followed by model.safetensors' bytes (or, for a sharded checkpoint,
 * the index's and then each shard's, in {@link CheckpointFiles#files} order).
 */
public final class ModelFingerprint {

    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = CheckpointFiles.SINGLE;

    /** One entry per model directory; hashing 500 MB costs seconds, so it is done once per process and file state. */
    private static final Map<Path, Cached> CACHE = new ConcurrentHashMap<>();

    private record FileState(long size, FileTime modified, Object fileKey) {
    }

    private record Stamp(FileState config, List<FileState> weights) {
    }

    private record Cached(Stamp stamp, String fingerprint) {
    }

    private ModelFingerprint() {
    }

    /**
     * The fingerprint, reused while all files keep their size, modification time and file key (inode). A file
     * replaced by rename changes its inode; an in-place edit that keeps size and lands within the file system's
     * timestamp granularity would go unnoticed, which is acceptable for model files that are never edited in place.
     */
    public static String of(Path modelDir) throws IOException {
        Path dir = modelDir.toAbsolutePath().normalize();
        Stamp before = stamp(dir);
        Cached cached = CACHE.get(dir);
        if (cached != null && cached.stamp().equals(before)) {
            return cached.fingerprint();
        }
        String fingerprint = compute(dir);
        if (before.equals(stamp(dir))) { // not cached if the files changed while being hashed
            CACHE.put(dir, new Cached(before, fingerprint));
        }
        return fingerprint;
    }

    /** The fingerprint, always hashed afresh. */
    public static String compute(Path modelDir) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        Sha256.update(digest, modelDir.resolve(CONFIG_FILE));
        for (Path weights : CheckpointFiles.files(modelDir)) {
            Sha256.update(digest, weights);
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    private static Stamp stamp(Path dir) throws IOException {
        List<FileState> weights = new ArrayList<>();
        for (Path file : CheckpointFiles.files(dir)) {
            weights.add(state(file));
        }
        return new Stamp(state(dir.resolve(CONFIG_FILE)), weights);
    }

    private static FileState state(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileState(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey());
    }
}
