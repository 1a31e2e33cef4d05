package io.livedpo.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livedpo.common.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Identifies "the same prompt" for thumbs pairing: SHA-256 (hex) of the canonical JSON
 * {@code {"policy":P,"messages":[{"role":R,"content":C},...]}} — compact, keys in exactly that order, UTF-8.
 * Serving computes it when it emits a response; anyone can recompute it from the event.
 */
public final class PromptHash {

    private PromptHash() {
    }

    public static String of(String policy, List<PromptMessage> messages) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode canonical = nodes.objectNode();
        canonical.put("policy", policy);
        ArrayNode array = canonical.putArray("messages");
        for (PromptMessage message : messages) {
            array.addObject().put("role", message.role()).put("content", message.content());
        }
        try {
            return Sha256.hex(EventJson.MAPPER.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serializes", e);
        }
    }
}
