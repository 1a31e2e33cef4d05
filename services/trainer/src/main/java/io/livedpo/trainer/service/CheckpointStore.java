package io.livedpo.trainer.service;

import ai.djl.ndarray.NDManager;
import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.CheckpointArchive;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.checkpoint.OptimizerCheckpoint;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.optim.AdamWState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The trainer's durable checkpoints, {@code <root>/<policy>/v<version>}: each an immutable PEFT directory written
 * atomically, so a directory that exists is complete, and the newest one is where training resumes.
 */
public final class CheckpointStore {

    /** Policies become directory names: nothing that could climb out of the store or hide a file. */
    private static final Pattern POLICY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern VERSION_DIR = Pattern.compile("v([1-9][0-9]{0,17})");

    private final Path root;

    public CheckpointStore(Path root) {
        this.root = root;
    }

    public static boolean validPolicy(String policy) {
        return policy != null && POLICY.matcher(policy).matches();
    }

    public Path dir(String policy, long version) {
        if (!validPolicy(policy)) {
            throw new IllegalArgumentException("policy '" + policy + "' is not a valid name");
        }
        return root.resolve(policy).resolve("v" + version);
    }

    /** Complete versions of a policy, oldest first (temp directories of an interrupted write are not versions). */
    public List<Long> versions(String policy) {
        Path dir = root.resolve(policy);
        if (!validPolicy(policy) || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> VERSION_DIR.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> Long.parseLong(m.group(1)))
                    .filter(v -> Files.isRegularFile(dir(policy, v).resolve(AdapterCheckpoint.METADATA_FILE)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints of " + policy, e);
        }
    }

    public OptionalLong newest(String policy) {
        List<Long> versions = versions(policy);
        return versions.isEmpty() ? OptionalLong.empty() : OptionalLong.of(versions.get(versions.size() - 1));
    }

    /**
     * {@code version} and its ancestors, following each checkpoint's {@code parentVersion} while the store still has
     * it (the first pruned ancestor is included, the base model 0 is not).
     */
    public java.util.Set<Long> lineage(String policy, long version) throws IOException {
        java.util.Set<Long> lineage = new java.util.LinkedHashSet<>();
        long v = version;
        while (v > 0 && lineage.add(v) && Files.isRegularFile(dir(policy, v).resolve(AdapterCheckpoint.METADATA_FILE))) {
            v = metadata(policy, v).parentVersion();
        }
        return lineage;
    }

    public CheckpointMetadata metadata(String policy, long version) throws IOException {
        return AdapterCheckpoint.readMetadata(dir(policy, version));
    }

    /**
     * Writes the adapter and the optimizer state that produced it as {@code draft.version()}; returns the metadata as
     * written (with the weights' hash).
     */
    public CheckpointMetadata write(LoraAdapter adapter, AdamWState optimizer, CheckpointMetadata draft)
            throws IOException {
        Path dir = dir(draft.policy(), draft.version());
        Files.createDirectories(dir.getParent());
        return AdapterCheckpoint.write(dir, adapter.config(), adapter.peftTensors(), draft, optimizer);
    }

    /** The optimizer state saved with a version, in {@code manager}; empty for a version saved without one. */
    public Optional<AdamWState> optimizer(String policy, long version, NDManager manager) throws IOException {
        return OptimizerCheckpoint.read(dir(policy, version), manager);
    }

    /** Deletes all but the newest {@code keep} versions of a policy. */
    public void prune(String policy, int keep) throws IOException {
        List<Long> versions = versions(policy);
        for (long v : versions.subList(0, Math.max(0, versions.size() - keep))) {
            try (Stream<Path> walk = Files.walk(dir(policy, v))) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * The version as one archive, the unit that is pushed, fetched and hashed: what serving needs, without the
     * optimizer state (twice the adapter's size, and only a resuming trainer reads it).
     */
    public PackedCheckpoint pack(String policy, long version) throws IOException {
        Path dir = dir(policy, version);
        CheckpointMetadata meta = AdapterCheckpoint.readMetadata(dir);
        byte[] bytes = CheckpointArchive.pack(dir, OptimizerCheckpoint.TRAINING_ONLY_FILES);
        return new PackedCheckpoint(meta, bytes);
    }
}
