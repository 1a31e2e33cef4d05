package io.livedpo.policy.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.KvCache;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.tokenizer.TokenDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Decodes several prompts as one batch: left-pad, prefill once, then one token per step for every sequence with the
 * KV cache. Each sequence has its own sampler and random stream, so its text depends only on its prompt, params and
 * seed, not on what it was batched with.
 */
public final class Generator {

    private final CausalLm model;
    private final TokenDecoder tokenizer;

    public Generator(CausalLm model, TokenDecoder tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public List<Generation> generate(List<long[]> prompts, List<SamplingParams> params, LoraAdapter adapter) {
        return generate(prompts, params, adapter, TextListener.NONE);
    }

    /** As {@link #generate(List, List, LoraAdapter)}, telling {@code listener} each sequence's new text per step. */
    public List<Generation> generate(List<long[]> prompts, List<SamplingParams> params, LoraAdapter adapter,
                                     TextListener listener) {
        if (prompts.size() != params.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException("need one SamplingParams per prompt, and at least one prompt");
        }
        int b = prompts.size();
        int context = model.config().contextLength();
        long eos = model.config().eosTokenId();
        // Any EOS id of the model's configs or its chat template's end-of-turn token ends a sequence.
        Set<Long> stopIds = new HashSet<>(tokenizer.stopIds());
        stopIds.add(eos);
        Sequence[] seqs = new Sequence[b];
        for (int i = 0; i < b; i++) {
            long[] prompt = prompts.get(i).length == 0 ? new long[] {model.config().bosTokenId()} : prompts.get(i);
            if (prompt.length >= context) {
                throw new IllegalArgumentException("prompt " + i + " is " + prompt.length
                        + " tokens; the model's context of " + context + " leaves no room to generate");
            }
            SamplingParams p = params.get(i);
            seqs[i] = new Sequence(prompt, p, Math.min(p.maxTokens(), context - prompt.length));
        }
        int promptWidth = Arrays.stream(seqs).mapToInt(s -> s.prompt.length).max().orElseThrow();
        long[][] mask = new long[b][];
        long[] stepIds = new long[b * promptWidth];
        for (int i = 0; i < b; i++) {
            int pad = promptWidth - seqs[i].prompt.length;
            mask[i] = new long[promptWidth];
            for (int j = 0; j < promptWidth; j++) {
                stepIds[i * promptWidth + j] = j < pad ? eos : seqs[i].prompt[j - pad];
                mask[i][j] = j < pad ? 0 : 1;
            }
        }
        int width = promptWidth;
        int vocab = model.config().vocabSize();
        try (NoGrad off = NoGrad.enter(); NDManager m = model.manager().newSubManager();
             KvCache cache = new KvCache(m, model.config().layers())) {
            while (true) {
                float[] logits = step(m, stepIds, b, width, mask, adapter, cache); // [B * V]
                boolean anyActive = false;
                long[] next = new long[b];
                for (int i = 0; i < b; i++) {
                    Sequence s = seqs[i];
                    next[i] = eos;
                    if (s.finish == null) {
                        s.accept(s.sampler.sample(Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab), s.rng),
                                stopIds);
                        s.stream(i, listener);
                        if (s.finish == null) {
                            next[i] = s.ids.get(s.ids.size() - 1);
                            anyActive = true;
                        }
                    }
                }
                if (!anyActive) {
                    break;
                }
                for (int i = 0; i < b; i++) {
                    mask[i] = Arrays.copyOf(mask[i], width + 1);
                    mask[i][width] = seqs[i].finish == null ? 1 : 0;
                }
                width++;
                stepIds = next;
            }
        }
        List<Generation> out = new ArrayList<>(b);
        for (Sequence s : seqs) {
            out.add(s.result());
        }
        return out;
    }

    /** One forward over the newest tokens; returns the last position's logits of every row. */
    private float[] step(NDManager m, long[] ids, int b, int width, long[][] mask, LoraAdapter adapter,
                         KvCache cache) {
        try (NDScope scope = new NDScope()) {
            long t = ids.length / b;
            long[] flatMask = new long[b * width];
            for (int i = 0; i < b; i++) {
                System.arraycopy(mask[i], 0, flatMask, i * width, width);
            }
            NDArray input = m.create(ids, new Shape(b, t)); // [B, T]
            NDArray attention = m.create(flatMask, new Shape(b, width)); // [B, S]
            return model.forward(input, attention, adapter, cache, true).toFloatArray(); // [B, 1, V]
        }
    }

    /** A sequence being decoded: its tokens so far and whether (and why) it has finished. */
    private final class Sequence {
        final long[] prompt;
        final SamplingParams params;
        final int budget;
        final Sampler sampler;
        final SplittableRandom rng;
        final List<Long> ids = new ArrayList<>();
        String finish;
        String text;
        int streamed; // characters of the text already handed to the listener

        Sequence(long[] prompt, SamplingParams params, int budget) {
            this.prompt = prompt;
            this.params = params;
            this.budget = budget;
            this.sampler = Sampler.of(params);
            this.rng = new SplittableRandom(params.seed());
        }

        void accept(long token, Set<Long> stopIds) {
            if (stopIds.contains(token)) {
                finish = Generation.STOP;
                return;
            }
            ids.add(token);
            if (!params.stop().isEmpty()) {
                String decoded = tokenizer.decode(idArray());
                int cut = firstStop(decoded);
                if (cut >= 0) {
                    text = decoded.substring(0, cut);
                    finish = Generation.STOP;
                    return;
                }
            }
            if (ids.size() >= budget) {
                finish = Generation.LENGTH;
            }
        }

        /**
         * Hands the listener the text that can no longer change: while running, hold back an unfinished UTF-8
         * character and anything that could still become the start of a stop string.
         */
        void stream(int row, TextListener listener) {
            if (listener == TextListener.NONE) {
                return;
            }
            String now = finish != null ? result().text() : tokenizer.decode(idArray());
            int stable = now.length();
            if (finish == null) {
                while (stable > 0 && now.charAt(stable - 1) == '\uFFFD') {
                    stable--;
                }
                int longestStop = params.stop().stream().mapToInt(String::length).max().orElse(1);
                stable = Math.max(0, stable - (longestStop - 1));
            }
            if (stable > streamed) {
                listener.onText(row, now.substring(streamed, stable));
                streamed = stable;
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

        long[] idArray() {
            return ids.stream().mapToLong(Long::longValue).toArray();
        }

        Generation result() {
            long[] out = idArray();
            return new Generation(text != null ? text : tokenizer.decode(out), out, finish);
        }
    }
}
