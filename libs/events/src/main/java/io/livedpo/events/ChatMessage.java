package io.livedpo.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/** One turn of a conversation, OpenAI style: role is {@code system}, {@code user} or {@code assistant}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatMessage(String role, String content) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
