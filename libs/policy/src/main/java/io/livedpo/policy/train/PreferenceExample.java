package io.livedpo.policy.train;

import io.livedpo.policy.score.PromptCompletion;

/** One preference pair as token ids: the prompt and the chosen and rejected completions, tokenized separately. */
public record PreferenceExample(String pairId, long[] promptIds, long[] chosenIds, long[] rejectedIds) {

    PromptCompletion chosen() {
        return new PromptCompletion(promptIds, chosenIds);
    }

    PromptCompletion rejected() {
        return new PromptCompletion(promptIds, rejectedIds);
    }
}
