package io.livedpo.policy.checkpoint;

import java.util.regex.Pattern;

/**
 * What {@code optimizer.json} records about the optimizer state saved next to an adapter.
 *
 * @param schema        format version of this record, {@value #SCHEMA}
 * @param steps         AdamW updates applied when the state was saved (torch's {@code state["step"]}); the warm-up
 *                      continues at {@code steps + 1}
 * @param adapterSha256 sha256 of the adapter_model.safetensors these moments belong to: a state is only ever resumed
 *                      with the weights it was saved with
 * @param sha256        hex SHA-256 of optimizer.safetensors
 * @param sizeBytes     size of optimizer.safetensors
 */
public record OptimizerMetadata(int schema, long steps, String adapterSha256, String sha256, long sizeBytes) {

    public static final int SCHEMA = 1;

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public OptimizerMetadata {
        if (schema < 1 || steps < 0 || sizeBytes < 0) {
            throw new IllegalArgumentException("schema must be >= 1, steps and sizeBytes >= 0");
        }
        if (adapterSha256 == null || !SHA256_HEX.matcher(adapterSha256).matches()
                || sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("adapterSha256 and sha256 must be 64 lowercase hex digits");
        }
    }
}
