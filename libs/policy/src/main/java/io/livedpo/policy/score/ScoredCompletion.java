package io.livedpo.policy.score;

/** One scored completion: its tokens, each token's log-prob, and their sum log p(completion | prompt). */
public record ScoredCompletion(long[] promptIds, long[] completionIds, float[] tokenLogprobs, double logprob) {
}
