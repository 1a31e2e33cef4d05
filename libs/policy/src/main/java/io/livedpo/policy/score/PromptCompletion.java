package io.livedpo.policy.score;

/** A prompt and a completion as token ids, tokenized separately (TRL's convention); the completion is scored. */
public record PromptCompletion(long[] promptIds, long[] completionIds) {

    public PromptCompletion {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("prompt has no tokens: the first completion token would have no context"
                    + " (start an unconditional prompt with the BOS token)");
        }
        if (completionIds.length == 0) {
            throw new IllegalArgumentException("completion has no tokens: nothing to score");
        }
    }

    public int length() {
        return promptIds.length + completionIds.length;
    }
}
