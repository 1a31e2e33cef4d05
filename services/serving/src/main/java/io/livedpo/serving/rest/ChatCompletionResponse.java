package io.livedpo.serving.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.livedpo.serving.service.ChatResult;
import java.util.List;

/**
 * OpenAI's chat completion, with each choice's response_id (what feedback refers to) and model version; {@code model}
 * names the answering {@code policy@version} (both, comma-separated in choice order, for a live canary's A/B pair).
 */
public record ChatCompletionResponse(String id, String object, long created, String model, List<Choice> choices,
                                     Usage usage) {

    public record Choice(int index, Message message, @JsonProperty("finish_reason") String finishReason,
                         @JsonProperty("response_id") String responseId,
                         @JsonProperty("model_version") long modelVersion) {
    }

    public record Message(String role, String content) {
    }

    public record Usage(@JsonProperty("prompt_tokens") int promptTokens,
                        @JsonProperty("completion_tokens") int completionTokens,
                        @JsonProperty("total_tokens") int totalTokens) {
    }

    static ChatCompletionResponse of(ChatResult r) {
        List<Choice> choices = r.choices().stream().map(c -> new Choice(c.index(),
                new Message("assistant", c.text()), c.finishReason(), c.responseId(), c.version())).toList();
        return new ChatCompletionResponse(r.id(), "chat.completion", r.created(), r.model(), choices,
                new Usage(r.promptTokens(), r.completionTokens(), r.promptTokens() + r.completionTokens()));
    }
}
