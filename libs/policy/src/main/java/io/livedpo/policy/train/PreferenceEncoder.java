package io.livedpo.policy.train;

import io.livedpo.policy.tokenizer.ChatFormat;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Text pairs to token ids the way TRL's DPOTrainer tokenizes them: prompt, chosen and rejected separately, and an EOS
 * token appended to each completion so the policy also learns where a preferred answer ends. A completion a chat
 * template already closed with a stop token (its end-of-turn) gets no second one: generation ends there.
 */
public final class PreferenceEncoder {

    private final TextTokenizer tokenizer;
    private final long eosId;
    private final long bosId;

    public PreferenceEncoder(TextTokenizer tokenizer, long bosId, long eosId) {
        this.tokenizer = tokenizer;
        this.bosId = bosId;
        this.eosId = eosId;
    }

    public PreferenceExample encode(String pairId, String prompt, String chosen, String rejected) {
        return new PreferenceExample(pairId, promptIds(prompt), withEos(tokenizer.encode(chosen)),
                withEos(tokenizer.encode(rejected)));
    }

    /**
     * A chat pair: the conversation so far rendered by the model's chat template as the prompt, each answer as the
     * template's completion of it. What the trainer trains on and {@code livedpo replay} replays.
     */
    public PreferenceExample encode(String pairId, ChatFormat chat, List<ChatMessage> conversation, String chosen,
                                    String rejected) {
        return encode(pairId, chat.prompt(conversation), chat.completion(conversation, chosen),
                chat.completion(conversation, rejected));
    }

    /** A single thumbs vote on {@code completion}, encoded as a pair's chosen answer is. */
    public ThumbsExample encodeThumbs(String voteId, String prompt, String completion, boolean up) {
        return new ThumbsExample(voteId, promptIds(prompt), withEos(tokenizer.encode(completion)), up);
    }

    private long[] promptIds(String prompt) {
        long[] ids = tokenizer.encode(prompt);
        return ids.length == 0 ? new long[] {bosId} : ids; // an unconditional prompt starts from BOS, as GPT-2 does
    }

    private long[] withEos(long[] ids) {
        if (ids.length > 0 && tokenizer.stopIds().contains(ids[ids.length - 1])) {
            return ids;
        }
        long[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = eosId;
        return out;
    }
}
