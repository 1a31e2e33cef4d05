package io.livedpo.feedback.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.events.EventJson;
import io.livedpo.events.IdFormat;
import io.livedpo.events.Rating;
import io.livedpo.feedback.service.Verdict;
import java.io.IOException;
import java.util.Locale;

/**
 * Parses and checks request bodies by hand, so each 400 names the field at fault. Ids follow {@link IdFormat};
 * unknown fields are ignored.
 */
final class RequestParser {

    private static final int MAX_COMMENT_CHARS = 4000;

    private RequestParser() {
    }

    static Verdict.Thumbs thumbs(byte[] body) {
        JsonNode json = object(body);
        String rating = text(json, "rating");
        if (rating == null) {
            throw ProblemException.invalid("rating", "rating is required");
        }
        Rating parsed = switch (rating.toLowerCase(Locale.ROOT)) {
            case "up" -> Rating.UP;
            case "down" -> Rating.DOWN;
            default -> throw ProblemException.invalid("rating", "rating must be \"up\" or \"down\"");
        };
        return new Verdict.Thumbs(requiredId(json, "response_id"), parsed, optionalId(json, "user_id"),
                comment(json));
    }

    static Verdict.Pairwise pairwise(byte[] body) {
        JsonNode json = object(body);
        String chosen = requiredId(json, "chosen_response_id");
        String rejected = requiredId(json, "rejected_response_id");
        if (chosen.equals(rejected)) {
            throw ProblemException.invalid("rejected_response_id", "chosen and rejected must be different responses");
        }
        return new Verdict.Pairwise(chosen, rejected, optionalId(json, "user_id"));
    }

    private static JsonNode object(byte[] body) {
        JsonNode json;
        try {
            json = EventJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ProblemException.invalid(null, "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProblemException.invalid(null, "The body could not be read");
        }
        if (json == null || !json.isObject()) {
            throw ProblemException.invalid(null, "The body must be a JSON object");
        }
        return json;
    }

    private static String requiredId(JsonNode json, String field) {
        String value = optionalId(json, field);
        if (value == null) {
            throw ProblemException.invalid(field, field + " is required");
        }
        return value;
    }

    private static String optionalId(JsonNode json, String field) {
        String value = text(json, field);
        if (value != null && !IdFormat.valid(value)) {
            throw ProblemException.invalid(field, field + " must be " + IdFormat.RULE);
        }
        return value;
    }

    /** Free text, shown to people as text; control characters other than tab and line breaks are refused. */
    private static String comment(JsonNode json) {
        String value = text(json, "comment");
        if (value == null) {
            return null;
        }
        if (value.length() > MAX_COMMENT_CHARS) {
            throw ProblemException.invalid("comment", "comment is longer than " + MAX_COMMENT_CHARS + " characters");
        }
        if (value.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r')) {
            throw ProblemException.invalid("comment", "comment must not contain control characters");
        }
        return value;
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ProblemException.invalid(field, field + " must be a string");
        }
        return node.textValue();
    }
}
