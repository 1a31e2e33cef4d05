package io.livedpo.serving.service;

import io.livedpo.events.IdFormat;
import io.livedpo.policy.tokenizer.ChatMessage;
import java.util.List;

/**
 * A chat request as both APIs (REST and gRPC) hand it over, before validation; absent optional values are null (or
 * empty, as proto3 strings are). The ids it carries into events and logs, policy and user, follow {@link IdFormat}
 * from the start, so a bad one is refused whichever API it came through.
 */
public record ChatCall(String policy, List<ChatMessage> messages, Float temperature, Float topP, Integer maxTokens,
                       Integer n, Long seed, List<String> stop, String user) {

    public ChatCall {
        requireIdOrAbsent(policy, "model");
        requireIdOrAbsent(user, "user");
    }

    private static void requireIdOrAbsent(String value, String field) {
        if (value != null && !value.isBlank() && !IdFormat.valid(value)) {
            throw new InvalidRequestException(field, field + " must be " + IdFormat.RULE);
        }
    }
}
