package io.livedpo.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;

/** A completion serving returned, as it goes to {@link Topics#RESPONSES} keyed by {@code responseId}. */
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
        Instant createdAt) {

    public static final int SCHEMA = 1;

    public ResponseEvent {
        Require.text(responseId, "responseId");
        Require.text(policy, "policy");
        messages = List.copyOf(Require.present(messages, "messages"));
        Require.present(completion, "completion");
        Require.text(promptHash, "promptHash");
        Require.present(createdAt, "createdAt");
    }
}
