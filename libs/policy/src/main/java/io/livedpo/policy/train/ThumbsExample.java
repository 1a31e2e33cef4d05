package io.livedpo.policy.train;

import io.livedpo.policy.score.PromptCompletion;

/** One thumbs vote on one answer that never paired, as token ids: KTO's unit (an answer and whether it was liked). */
public record ThumbsExample(String voteId, long[] promptIds, long[] completionIds, boolean up) {

    PromptCompletion completion() {
        return new PromptCompletion(promptIds, completionIds);
    }
}
