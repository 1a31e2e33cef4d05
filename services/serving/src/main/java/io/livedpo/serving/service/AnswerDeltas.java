package io.livedpo.serving.service;

import io.livedpo.policy.tokenizer.ChatFormat;
import java.util.function.BiConsumer;

/**
 * Streams what the answer will be: the completion minus the chat template's leading space, so the streamed deltas of
 * a choice add up to exactly the message content of the whole response. Used on the decoding thread only.
 */
final class AnswerDeltas implements BiConsumer<Integer, String> {

    private final ChatFormat chat;
    private final boolean[] started;
    private final BiConsumer<Integer, String> onDelta;

    AnswerDeltas(ChatFormat chat, int choices, BiConsumer<Integer, String> onDelta) {
        this.chat = chat;
        this.started = new boolean[choices];
        this.onDelta = onDelta;
    }

    @Override
    public void accept(Integer index, String delta) {
        if (!started[index] && !delta.isEmpty()) {
            started[index] = true;
            delta = chat.answer(delta);
        }
        if (!delta.isEmpty()) {
            onDelta.accept(index, delta);
        }
    }
}
