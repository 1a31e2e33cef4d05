package io.livedpo.serving.service;

import java.util.List;

/**
 * A finished chat completion.
 *
 * @param id           "chatcmpl-…", shared by the choices
 * @param model        {@code policy@version} that produced every choice (both, comma-separated in choice order, for a
 *                     live canary's A/B pair)
 * @param created      unix seconds
 * @param promptTokens tokens of the templated prompt
 */
public record ChatResult(String id, String policy, String model, long created, int promptTokens,
                         List<Choice> choices) {

    /** One answer; {@code responseId} is what feedback refers to, {@code version} the model version that wrote it. */
    public record Choice(int index, String text, String finishReason, String responseId, int completionTokens,
                         long version) {
    }

    public int completionTokens() {
        return choices.stream().mapToInt(Choice::completionTokens).sum();
    }
}
