package io.livedpo.policy.tokenizer;

import java.util.List;
import java.util.Set;

/**
 * The plain chat template used for models without one of their own (GPT-2 has none): one line per message,
 * {@code "User: …\n"}, then {@code "Assistant:"} as the generation prompt. An assistant answer is the completion and
 * begins with a space, so "Assistant:" + completion reads naturally and GPT-2's BPE sees " word" tokens.
 */
public final class ChatTemplate {

    static final Set<String> ROLES = Set.of("system", "user", "assistant");

    /** Where a model that goes on writing would start the next turn: generation stops there. */
    public static final String NEXT_TURN = "\nUser:";

    private ChatTemplate() {
    }

    /** The prompt text for these messages, ending with the generation prompt "Assistant:". */
    public static String prompt(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            sb.append(Character.toUpperCase(m.role().charAt(0))).append(m.role().substring(1))
                    .append(": ").append(m.content()).append('\n');
        }
        return sb.append("Assistant:").toString();
    }

    /** The completion text of an assistant answer. */
    public static String completion(String answer) {
        return " " + answer;
    }

    /** The answer a generated completion stands for: the template's leading space removed. */
    public static String answer(String completion) {
        return completion.startsWith(" ") ? completion.substring(1) : completion;
    }
}
