package io.livedpo.feedback.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.events.EventJson;
import io.livedpo.events.Rating;
import java.util.Locale;

/** Parses and checks request bodies by hand, so each 400 names the field at fault. Unknown fields are ignored. */
final class RequestParser {

    private static final int MAX_ID_CHARS = 200;
    private static final int MAX_COMMENT_CHARS = 4000;

    private RequestParser() {
    }

    static FeedbackRequest.Thumbs thumbs(byte[] body) {
        JsonNode json = object(body);
        String rating = requiredText(json, "rating", 8);
        Rating parsed = switch (rating.toLowerCase(Locale.ROOT)) {
            case "up" -> Rating.UP;
            case "down" -> Rating.DOWN;
            default -> throw ProblemException.invalid("rating", "rating must be \"up\" or \"down\"");
        };
        return new FeedbackRequest.Thumbs(requiredText(json, "response_id", MAX_ID_CHARS), parsed,
                optionalText(json, "user_id", MAX_ID_CHARS), optionalText(json, "comment", MAX_COMMENT_CHARS));
    }

    static FeedbackRequest.Pairwise pairwise(byte[] body) {
        JsonNode json = object(body);
        String chosen = requiredText(json, "chosen_response_id", MAX_ID_CHARS);
        String rejected = requiredText(json, "rejected_response_id", MAX_ID_CHARS);
        if (chosen.equals(rejected)) {
            throw ProblemException.invalid("rejected_response_id", "chosen and rejected must be different responses");
        }
        return new FeedbackRequest.Pairwise(chosen, rejected, optionalText(json, "user_id", MAX_ID_CHARS));
    }

    private static JsonNode object(byte[] body) {
        JsonNode json;
        try {
            json = EventJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ProblemException.invalid(null, "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ProblemException.invalid(null, "The body could not be read");
        }
        if (json == null || !json.isObject()) {
            throw ProblemException.invalid(null, "The body must be a JSON object");
        }
        return json;
    }

    private static String requiredText(JsonNode json, String field, int maxChars) {
        String value = optionalText(json, field, maxChars);
        if (value == null || value.isBlank()) {
            throw ProblemException.invalid(field, field + " is required");
        }
        return value;
    }

    private static String optionalText(JsonNode json, String field, int maxChars) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ProblemException.invalid(field, field + " must be a string");
        }
        if (node.textValue().length() > maxChars) {
            throw ProblemException.invalid(field, field + " is longer than " + maxChars + " characters");
        }
        return node.textValue();
    }
}
