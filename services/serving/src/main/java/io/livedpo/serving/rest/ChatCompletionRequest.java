package io.livedpo.serving.rest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.serving.service.ChatCall;
import io.livedpo.serving.service.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;

/** OpenAI's chat completion request; fields OpenAI clients send that we do not use are ignored. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionRequest(
        String model,
        List<Message> messages,
        Float temperature,
        @JsonProperty("top_p") Float topP,
        @JsonProperty("max_tokens") Integer maxTokens,
        Integer n,
        Long seed,
        JsonNode stop,
        Boolean stream,
        String user) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(String role, String content) {
    }

    boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }

    ChatCall toCall() {
        return new ChatCall(model, chatMessages(), temperature, topP, maxTokens, n, seed, stops(), user);
    }

    private List<ChatMessage> chatMessages() {
        if (messages == null) {
            return null;
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m == null || m.content() == null) {
                throw new InvalidRequestException("messages[" + i + "].content", "each message needs a content string");
            }
            try {
                out.add(new ChatMessage(m.role(), m.content()));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("messages[" + i + "].role", e.getMessage());
            }
        }
        return out;
    }

    /** OpenAI accepts one stop string or a list of them. */
    private List<String> stops() {
        if (stop == null || stop.isNull()) {
            return null;
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (stop.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw new InvalidRequestException("stop", "stop must be a string or a list of strings");
                }
                out.add(s.asText());
            }
            return out;
        }
        throw new InvalidRequestException("stop", "stop must be a string or a list of strings");
    }
}
