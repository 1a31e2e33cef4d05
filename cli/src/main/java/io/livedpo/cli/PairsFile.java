package io.livedpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.tokenizer.ChatFormat;
import io.livedpo.policy.train.PreferenceEncoder;
import io.livedpo.policy.train.PreferenceExample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Preference pairs in TRL's format: {"prompt","chosen","rejected"} as strings, or conversational, where the prompt is
 * a list of {"role","content"} messages and chosen/rejected are lists ending in the assistant's answer.
 */
final class PairsFile {

    private PairsFile() {
    }

    static List<PreferenceExample> read(Path file, ChatFormat chat, PreferenceEncoder encoder, int contextLength)
            throws IOException {
        List<PreferenceExample> out = new ArrayList<>();
        Json.readLines(file, (line, node) -> {
            boolean conversational = node.path("prompt").isArray();
            List<ChatMessage> turns = conversational ? messages(node, "prompt") : List.of();
            String prompt = conversational ? chat.prompt(turns) : Json.text(node, "prompt");
            PreferenceExample example = encoder.encode("line-" + line, prompt,
                    completion(chat, turns, node, "chosen"), completion(chat, turns, node, "rejected"));
            int longest = example.promptIds().length
                    + Math.max(example.chosenIds().length, example.rejectedIds().length);
            if (longest > contextLength) {
                throw new BadInputException(longest + " tokens (prompt + completion) exceed the model's context of "
                        + contextLength);
            }
            out.add(example);
        });
        if (out.isEmpty()) {
            throw new BadInputException(file + ": no pairs");
        }
        return out;
    }

    /** A conversational completion as the model's template renders the answer after {@code prompt}. */
    private static String completion(ChatFormat chat, List<ChatMessage> prompt, JsonNode node, String field) {
        if (prompt.isEmpty()) {
            return Json.text(node, field);
        }
        List<ChatMessage> turns = messages(node, field);
        ChatMessage last = turns.get(turns.size() - 1);
        if (!last.role().equals("assistant")) {
            throw new BadInputException("'" + field + "' must end with an assistant message");
        }
        return chat.completion(prompt, last.content());
    }

    private static List<ChatMessage> messages(JsonNode node, String field) {
        JsonNode list = node.get(field);
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new BadInputException("field '" + field + "' must be a non-empty list of {\"role\",\"content\"}");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : list) {
            out.add(new ChatMessage(Json.text(m, "role"), Json.text(m, "content")));
        }
        return out;
    }
}
