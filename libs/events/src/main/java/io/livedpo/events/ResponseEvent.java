package io.livedpo.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;

/**
 * A completion serving returned, as it goes to {@link Topics#RESPONSES} keyed by {@code responseId}; {@code canary}
 * (optional) names the live-canary experiment it was randomly routed into.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResponseEvent(
        int schema,
        String responseId,
        String conversationId,
        String policy,
        long modelVersion,
        List<PromptMessage> messages,
        String completion,
        Sampling sampling,
        String promptHash,
        Instant createdAt,
        CanaryArm canary) {

    public static final int SCHEMA = 1;

    public ResponseEvent {
        Require.text(responseId, "responseId");
        Require.text(policy, "policy");
        messages = List.copyOf(Require.present(messages, "messages"));
        Require.present(completion, "completion");
        Require.text(promptHash, "promptHash");
        Require.present(createdAt, "createdAt");
    }

    /** A response served outside any live-canary experiment. */
    public ResponseEvent(int schema, String responseId, String conversationId, String policy, long modelVersion,
                         List<PromptMessage> messages, String completion, Sampling sampling, String promptHash,
                         Instant createdAt) {
        this(schema, responseId, conversationId, policy, modelVersion, messages, completion, sampling, promptHash,
                createdAt, null);
    }
}
