package io.livedpo.serving.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One server-sent event of a streamed completion, in OpenAI's chunk shape. */
public record ChatCompletionChunk(String id, String object, long created, String model, List<Choice> choices) {

    public record Choice(int index, Delta delta, @JsonProperty("finish_reason") String finishReason,
                         @JsonProperty("response_id") String responseId,
                         @JsonProperty("model_version") long modelVersion) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {
    }
}
