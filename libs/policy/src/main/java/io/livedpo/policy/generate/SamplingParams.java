package io.livedpo.policy.generate;

import java.util.List;

/**
 * How one sequence is decoded, with the meanings vLLM and OpenAI give these names.
 *
 * @param temperature 0 = greedy (argmax); otherwise logits are divided by it
 * @param topK        keep the k most likely tokens; 0 = all
 * @param topP        keep the smallest set whose probability reaches p; 1 = all
 * @param maxTokens   most new tokens; fewer when the context runs out (finish reason "length")
 * @param seed        same seed, same prompt, same model -> same text
 * @param stop        strings that end the text; the match itself is not returned
 */
public record SamplingParams(float temperature, int topK, float topP, int maxTokens, long seed, List<String> stop) {

    public SamplingParams {
        if (!(temperature >= 0) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
        stop = List.copyOf(stop);
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0f, 0, 1f, maxTokens, 0L, List.of());
    }

    public SamplingParams withSeed(long newSeed) {
        return new SamplingParams(temperature, topK, topP, maxTokens, newSeed, stop);
    }
}
