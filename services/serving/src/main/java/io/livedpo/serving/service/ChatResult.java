package io.livedpo.serving.service;

import java.util.List;

/**
 * A finished chat completion.
 *
 * @param id           "chatcmpl-…", shared by the choices
 * @param model        {@code policy@version} that produced every choice
 * @param created      unix seconds
 * @param promptTokens tokens of the templated prompt
 */
public record ChatResult(String id, String policy, long version, String model, long created, int promptTokens,
                         List<Choice> choices) {

    /** One answer; {@code responseId} is what feedback refers to. */
    public record Choice(int index, String text, String finishReason, String responseId, int completionTokens) {
    }

    public int completionTokens() {
        return choices.stream().mapToInt(Choice::completionTokens).sum();
    }
}
