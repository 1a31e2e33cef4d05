package io.livedpo.policy.tokenizer;

/**
 * A chat template refused a conversation ({@code raise_exception} in the template, e.g. roles that do not alternate)
 * or could not be rendered. The message names the problem; callers answer the client with it (HTTP 400).
 */
public final class ChatTemplateException extends IllegalArgumentException {

    private final boolean refused;

    ChatTemplateException(String message, boolean refused) {
        super(message);
        this.refused = refused;
    }

    /** True when the template itself refused the conversation; false when the template is broken. */
    public boolean refused() {
        return refused;
    }
}
