package io.livedpo.policy.checkpoint;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What LiveDPO records about an adapter checkpoint, stored next to it as {@code livedpo.json}.
 *
 * @param schema        format version of this record, {@value #SCHEMA}
 * @param policy        the policy (product) the adapter belongs to
 * @param version       1, 2, ... per policy; never reused, since checkpoint directories are immutable
 * @param parentVersion the version training started from; 0 is the base model
 * @param baseModel     the base model's {@link ModelFingerprint}
 * @param sha256        hex SHA-256 of adapter_model.safetensors; null only before {@link AdapterCheckpoint#write}
 * @param sizeBytes     size of adapter_model.safetensors
 * @param pairsTrained  preference pairs trained on since the base model
 * @param metrics       TRL-style training metrics, e.g. {@code loss}, {@code rewards/accuracies}
 * @param createdAt     when the checkpoint was written
 * @param attributes    service data, e.g. the Kafka offset range the checkpoint covers; JSON integers read back as Long
 */
public record CheckpointMetadata(
        int schema,
        String policy,
        long version,
        long parentVersion,
        String baseModel,
        String sha256,
        long sizeBytes,
        long pairsTrained,
        Map<String, Double> metrics,
        Instant createdAt,
        Map<String, Object> attributes) {

    public static final int SCHEMA = 1;

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public CheckpointMetadata {
        if (schema < 1) {
            throw new IllegalArgumentException("schema must be >= 1, got " + schema);
        }
        if (policy == null || policy.isBlank()) {
            throw new IllegalArgumentException("policy must be named");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        if (parentVersion < 0 || parentVersion >= version) {
            throw new IllegalArgumentException("parentVersion must be in [0, " + version + "), got " + parentVersion);
        }
        if (baseModel == null || baseModel.isBlank()) {
            throw new IllegalArgumentException("baseModel fingerprint must be given");
        }
        if (sha256 != null && !SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits, got " + sha256);
        }
        if (sizeBytes < 0 || pairsTrained < 0) {
            throw new IllegalArgumentException("sizeBytes and pairsTrained must be >= 0");
        }
        if (createdAt == null) {
            throw new IllegalArgumentException("createdAt must be given");
        }
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics == null ? Map.of() : metrics));
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes == null ? Map.of() : attributes));
    }

    /** Metadata for a checkpoint about to be written; {@link AdapterCheckpoint#write} fills in sha256 and size. */
    public static CheckpointMetadata draft(String policy, long version, long parentVersion, String baseModel,
            long pairsTrained, Map<String, Double> metrics, Instant createdAt, Map<String, Object> attributes) {
        return new CheckpointMetadata(SCHEMA, policy, version, parentVersion, baseModel, null, 0, pairsTrained, metrics,
                createdAt, attributes);
    }

    public CheckpointMetadata withWeights(String sha256, long sizeBytes) {
        return new CheckpointMetadata(schema, policy, version, parentVersion, baseModel, sha256, sizeBytes, pairsTrained,
                metrics, createdAt, attributes);
    }
}
