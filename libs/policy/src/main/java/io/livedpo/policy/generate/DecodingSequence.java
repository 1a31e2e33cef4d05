package io.livedpo.policy.generate;

import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.LmConfig;
import io.livedpo.policy.tokenizer.TokenDecoder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One sequence in a {@link ContinuousBatch}: its prompt, how much of it is prefilled, its tokens so far and whether
 * (and why) it has finished. Its own sampler and random stream make its text depend only on its prompt, params,
 * seed and adapter, never on what it was batched with. Touched by the decoding thread only, except {@link #cancel}.
 */
public final class DecodingSequence {

    final long[] prompt;
    final SamplingParams params;
    final LoraAdapter adapter;
    final int budget;
    private final TokenDecoder tokenizer;
    private final Consumer<String> onText;
    private final Sampler sampler;
    private final SplittableRandom rng;
    private final List<Long> ids = new ArrayList<>();
    int slot = -1;
    int prefilled; // prompt tokens already in the cache
    private volatile boolean cancelled;
    private String finish;
    private String text;
    private String decoded; // the text of ids as of the last token, decoded once per token
    private int streamed; // characters of the text already handed to onText

    DecodingSequence(long[] prompt, SamplingParams params, LoraAdapter adapter, int budget, TokenDecoder tokenizer,
                     Consumer<String> onText) {
        this.prompt = prompt;
        this.params = params;
        this.adapter = adapter;
        this.budget = budget;
        this.tokenizer = tokenizer;
        this.onText = onText;
        this.sampler = Sampler.of(params);
        this.rng = new SplittableRandom(params.seed());
    }

    /**
     * A sequence for {@code prompt} (the BOS token when empty), its budget the smaller of its max tokens and the room
     * the context leaves.
     *
     * @throws IllegalArgumentException when the prompt leaves no room in the context to generate
     */
    static DecodingSequence of(long[] prompt, SamplingParams params, LoraAdapter adapter, LmConfig config,
                               TokenDecoder tokenizer, Consumer<String> onText) {
        int context = config.contextLength();
        long[] p = prompt.length == 0 ? new long[] {config.bosTokenId()} : prompt;
        if (p.length >= context) {
            throw new IllegalArgumentException("prompt is " + p.length + " tokens; the model's context of " + context
                    + " leaves no room to generate");
        }
        return new DecodingSequence(p, params, adapter, Math.min(params.maxTokens(), context - p.length), tokenizer,
                onText);
    }

    /** Any EOS id of the model's configs or its chat template's end-of-turn token ends a sequence. */
    static Set<Long> stopIds(TokenDecoder tokenizer, LmConfig config) {
        Set<Long> ids = new HashSet<>(tokenizer.stopIds());
        ids.add((long) config.eosTokenId());
        return Set.copyOf(ids);
    }

    /** Asks the batch to drop this sequence and free its slot before its next step; safe from any thread. */
    public void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** Whether it has finished decoding (a cancelled sequence never does). */
    public boolean finished() {
        return finish != null;
    }

    /** The decoded sequence; only once {@link #finished()}. */
    public Generation result() {
        return new Generation(text != null ? text : decoded(), idArray(), finish);
    }

    boolean prefilling() {
        return prefilled < prompt.length;
    }

    /** The token the next decode step feeds: the last one sampled. */
    long lastToken() {
        return ids.get(ids.size() - 1);
    }

    /** Samples the next token from this row's logits [V] and streams the text that became final. */
    void sample(float[] logits, Set<Long> stopIds) {
        accept(sampler.sample(logits, rng), stopIds);
        stream();
    }

    private void accept(long token, Set<Long> stopIds) {
        if (stopIds.contains(token)) {
            finish = Generation.STOP;
            return;
        }
        ids.add(token);
        decoded = null;
        if (!params.stop().isEmpty()) {
            int cut = firstStop(decoded());
            if (cut >= 0) {
                text = decoded().substring(0, cut);
                finish = Generation.STOP;
                return;
            }
        }
        if (ids.size() >= budget) {
            finish = Generation.LENGTH;
        }
    }

    /**
     * Hands onText the text that can no longer change: while running, hold back an unfinished UTF-8 character and
     * anything that could still become the start of a stop string.
     */
    private void stream() {
        if (onText == null) {
            return;
        }
        String now = finish != null ? result().text() : decoded();
        int stable = now.length();
        if (finish == null) {
            while (stable > 0 && now.charAt(stable - 1) == '\uFFFD') {
                stable--;
            }
            int longestStop = params.stop().stream().mapToInt(String::length).max().orElse(1);
            stable = Math.max(0, stable - (longestStop - 1));
        }
        if (stable > streamed) {
            String delta = now.substring(streamed, stable);
            streamed = stable;
            try {
                onText.accept(delta);
            } catch (RuntimeException e) {
                // Its reader is gone: stop decoding it, and never fail its batch neighbours.
                cancel();
            }
        }
    }

    private int firstStop(String decoded) {
        int cut = -1;
        for (String stop : params.stop()) {
            int at = decoded.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        return cut;
    }

    /** The text of every token so far; one tokenizer call per token, however often it is asked for. */
    private String decoded() {
        if (decoded == null) {
            decoded = tokenizer.decode(idArray());
        }
        return decoded;
    }

    private long[] idArray() {
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
