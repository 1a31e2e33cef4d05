package io.livedpo.trainer.service;

import io.livedpo.policy.checkpoint.CheckpointMetadata;

/** Where checkpoints that passed the guard rail go: announced and pushed to serving. */
@FunctionalInterface
public interface CheckpointSink {

    void publish(CheckpointMetadata checkpoint);
}
