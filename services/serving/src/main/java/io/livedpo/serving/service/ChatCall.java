package io.livedpo.serving.service;

import io.livedpo.policy.tokenizer.ChatMessage;
import java.util.List;

/**
 * A chat request as both APIs (REST and gRPC) hand it over, before validation; absent optional values are null.
 */
public record ChatCall(String policy, List<ChatMessage> messages, Float temperature, Float topP, Integer maxTokens,
                       Integer n, Long seed, List<String> stop, String user) {
}
