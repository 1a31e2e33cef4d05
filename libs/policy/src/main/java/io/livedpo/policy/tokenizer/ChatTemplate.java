package io.livedpo.policy.tokenizer;

import java.util.List;
import java.util.Set;

/**
 * The plain chat template used for models without one of their own (GPT-2 has none): one line per message,
 * {@code "User: …\n"}, then {@code "Assistant:"} as the generation prompt. An assistant answer is the completion and
 * begins with a space, so "Assistant:" + completion reads naturally and GPT-2's BPE sees " word" tokens. A model
 * whose tokenizer adds BOS gets the BOS token in front, as its tokenizer would put it.
 */
public final class ChatTemplate implements ChatFormat {

    static final Set<String> ROLES = Set.of("system", "user", "assistant");

    /** The plain template for a tokenizer that adds no BOS (GPT-2's). */
    public static final ChatTemplate PLAIN = new ChatTemplate("");

    /** Where a model that goes on writing would start the next turn: generation stops there. */
    public static final String NEXT_TURN = "\nUser:";

    private final String bosPrefix;

    private ChatTemplate(String bosPrefix) {
        this.bosPrefix = bosPrefix;
    }

    static ChatTemplate startingWith(String bosToken) {
        return bosToken.isEmpty() ? PLAIN : new ChatTemplate(bosToken);
    }

    /** The prompt text for these messages, ending with the generation prompt "Assistant:". */
    @Override
    public String prompt(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        StringBuilder sb = new StringBuilder(bosPrefix);
        for (ChatMessage m : messages) {
            sb.append(Character.toUpperCase(m.role().charAt(0))).append(m.role().substring(1))
                    .append(": ").append(m.content()).append('\n');
        }
        return sb.append("Assistant:").toString();
    }

    /** The completion text of an assistant answer: it does not depend on the conversation. */
    @Override
    public String completion(List<ChatMessage> messages, String answer) {
        return " " + answer;
    }

    /** The answer a generated completion stands for: the template's leading space removed. */
    @Override
    public String answer(String completion) {
        return completion.startsWith(" ") ? completion.substring(1) : completion;
    }

    @Override
    public List<String> stops() {
        return List.of(NEXT_TURN);
    }
}
