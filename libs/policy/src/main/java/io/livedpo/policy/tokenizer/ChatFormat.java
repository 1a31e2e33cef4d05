package io.livedpo.policy.tokenizer;

import java.util.List;

/**
 * How one model turns a conversation into text: the single rendering that serving's prompts, the chat page, the
 * events and the DPO pairs all go through. A pair is built as TRL builds conversational preference data: the prompt
 * is the conversation rendered with the generation prompt, the completion the answer as the template renders it,
 * through its end-of-turn token.
 */
public interface ChatFormat {

    /**
     * A Jinja chat template as a model directory would bring it, before there is a directory (pre-training renders
     * its corpus with the template it will ship).
     *
     * @param addedTokens the tokenizer's added tokens: the end-of-turn token is one of them
     * @throws ChatTemplateException if the template does not render
     */
    static ChatFormat jinja(String source, String bosToken, String eosToken, Iterable<String> addedTokens) {
        return new JinjaChatTemplate(source, bosToken, eosToken, addedTokens);
    }

    /** The conversation followed by the generation prompt: what the model continues. */
    String prompt(List<ChatMessage> messages);

    /**
     * The text that follows {@link #prompt} when the assistant answers {@code answer}.
     *
     * @throws ChatTemplateException if the template refuses the conversation
     */
    String completion(List<ChatMessage> messages, String answer);

    /** The message content a generated completion stands for (generation stopped before any end-of-turn). */
    String answer(String generated);

    /** Texts that end a generated answer besides the stop tokens, e.g. where the next turn would begin. */
    List<String> stops();
}
