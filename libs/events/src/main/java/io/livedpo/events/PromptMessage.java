package io.livedpo.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/** One turn of a conversation, OpenAI style: role is {@code system}, {@code user} or {@code assistant}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PromptMessage(String role, String content) {

    public PromptMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
