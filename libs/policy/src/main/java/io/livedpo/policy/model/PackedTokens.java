package io.livedpo.policy.model;

import java.util.List;
import java.util.Map;

/**
 * One step of the Java engine: N tokens from any number of sequences, packed without padding — each decoding
 * sequence's next input and each new prompt's chunk — with where each sits and which of them need logits.
 *
 * @param ids       [N] token ids
 * @param slots     [N] the KV-cache slot of each token's sequence
 * @param positions [N] each token's position in its sequence; a sequence's tokens of this step are consecutive
 * @param adapters  [N] each token's LoRA updates by projection path, or null for the base
 * @param logitRows the tokens whose next-token logits the step returns, in that order
 */
public record PackedTokens(long[] ids, int[] slots, int[] positions, List<Map<String, LowRank>> adapters,
                           int[] logitRows) {

    public PackedTokens {
        int n = ids.length;
        if (slots.length != n || positions.length != n || adapters.size() != n) {
            throw new IllegalArgumentException("ids, slots, positions and adapters differ in length");
        }
        for (int r : logitRows) {
            if (r < 0 || r >= n) {
                throw new IllegalArgumentException("logit row " + r + " outside the step's " + n + " tokens");
            }
        }
    }

    public int size() {
        return ids.length;
    }
}
