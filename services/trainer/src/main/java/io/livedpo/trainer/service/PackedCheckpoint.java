package io.livedpo.trainer.service;

import io.livedpo.policy.checkpoint.CheckpointMetadata;

/** A checkpoint directory packed for transfer, with the archive's sha256 (not the weights' one in {@code meta}). */
public record PackedCheckpoint(CheckpointMetadata meta, byte[] bytes, String sha256) {
}
