package io.livedpo.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.Map;

/**
 * A durable checkpoint the trainer made, on the compacted {@link Topics#CHECKPOINTS} keyed by {@code policy};
 * {@code canary} true when it is to start as a live canary beside its parent rather than serve everyone at once.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckpointAnnouncement(
        int schema,
        String policy,
        long version,
        Long parentVersion,
        String baseModel,
        String sha256,
        long sizeBytes,
        String location,
        long pairsTrained,
        Map<String, Double> metrics,
        Instant createdAt,
        Instant newestFeedbackAt,
        boolean canary) {

    public static final int SCHEMA = 1;

    public CheckpointAnnouncement {
        Require.text(policy, "policy");
        Require.text(baseModel, "baseModel");
        Require.text(sha256, "sha256");
        Require.text(location, "location");
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        Require.present(createdAt, "createdAt");
    }

    /** An announcement of a version that goes live at once (no live canary). */
    public CheckpointAnnouncement(int schema, String policy, long version, Long parentVersion, String baseModel,
                                  String sha256, long sizeBytes, String location, long pairsTrained,
                                  Map<String, Double> metrics, Instant createdAt, Instant newestFeedbackAt) {
        this(schema, policy, version, parentVersion, baseModel, sha256, sizeBytes, location, pairsTrained, metrics,
                createdAt, newestFeedbackAt, false);
    }
}
