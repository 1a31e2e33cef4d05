package io.livedpo.trainer.service;

import io.livedpo.policy.checkpoint.CheckpointMetadata;

/** Where checkpoints that passed the guard rail go: announced and pushed to serving. */
@FunctionalInterface
public interface CheckpointSink {

    /**
     * @param kl the checkpoint's KL estimate, announced with its training metrics so readers of the announcement
     *           (the local loop's monitor, dashboards) need not race the trainer's gauge
     */
    void publish(CheckpointMetadata checkpoint, double kl);
}
