package io.livedpo.policy.generate;

import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.LowRank;
import io.livedpo.policy.model.PackedGpt2;
import io.livedpo.policy.model.PackedKvCache;
import io.livedpo.policy.model.PackedTokens;
import io.livedpo.policy.tokenizer.TokenDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Continuous batching on the Java engine ({@link PackedGpt2}): each step is ONE forward over every decoding
 * sequence's next token and the waiting prompts' chunks (within the step's token budget), packed without padding, so
 * a step that admits a prompt costs no second pass. Scheduling is {@link ContinuousBatch}'s: prompts in arrival
 * order, a prompt's first token sampled from its last position, a sequence's tokens depending only on its own prompt,
 * seed and adapter. Slots need no compaction: the engine reads each token's slot directly.
 */
public final class PackedBatch extends SlotBatch {

    private final PackedGpt2 engine;
    private final PackedKvCache cache;
    private final int[] lengths; // cached positions per slot
    // Each running adapter's updates as Java arrays, made once per adapter and dropped when no sequence uses it.
    private final Map<LoraAdapter, Map<String, LowRank>> lowRanks = new IdentityHashMap<>();

    public PackedBatch(CausalLm model, PackedGpt2 engine, TokenDecoder tokenizer, BatchLimits limits) {
        super(model, tokenizer, limits);
        this.engine = engine;
        this.cache = engine.newCache(limits.maxRunning());
        this.lengths = new int[limits.maxRunning()];
    }

    @Override
    void readySlot(DecodingSequence s) {
        lengths[s.slot] = 0;
        if (s.adapter != null) {
            lowRanks.computeIfAbsent(s.adapter, LoraAdapter::lowRanks);
        }
    }

    @Override
    public List<DecodingSequence> step() {
        List<DecodingSequence> left = new ArrayList<>();
        dropCancelled(left);
        Step step = new Step();
        List<DecodingSequence> decoded = List.copyOf(decoding);
        for (DecodingSequence s : decoded) {
            step.add(s, s.lastToken(), lengths[s.slot], true);
        }
        List<DecodingSequence> completed = new ArrayList<>();
        int budget = limits.stepTokens() - decoded.size();
        for (DecodingSequence s : prefilling) {
            if (budget <= 0) {
                break;
            }
            int chunk = Math.min(budget, s.prompt.length - s.prefilled);
            for (int i = 0; i < chunk; i++) {
                int pos = s.prefilled + i;
                boolean last = pos == s.prompt.length - 1;
                step.add(s, s.prompt[pos], pos, last);
                if (last) {
                    completed.add(s);
                }
            }
            budget -= chunk;
        }
        lastDecodeRows = decoded.size();
        if (step.size() == 0) {
            return left;
        }
        float[] logits = engine.forward(step.tokens(), cache);
        for (int t = 0; t < step.size(); t++) {
            lengths[step.slots[t]]++;
        }
        for (DecodingSequence s : prefilling) {
            s.prefilled = lengths[s.slot];
        }
        int vocab = engine.vocabSize();
        int row = 0;
        for (DecodingSequence s : decoded) {
            s.sample(Arrays.copyOfRange(logits, row * vocab, (row + 1) * vocab), stopIds);
            row++;
            if (s.finished() || s.cancelled()) {
                decoding.remove(s);
                free(s);
                left.add(s);
            }
        }
        for (DecodingSequence s : completed) {
            prefilling.remove(s);
            // Its first token comes from the prompt's last position.
            s.sample(Arrays.copyOfRange(logits, row * vocab, (row + 1) * vocab), stopIds);
            row++;
            if (s.finished() || s.cancelled()) {
                free(s);
                left.add(s);
            } else {
                decoding.add(s);
            }
        }
        return left;
    }

    private void dropCancelled(List<DecodingSequence> left) {
        for (List<DecodingSequence> list : List.of(decoding, prefilling)) {
            for (DecodingSequence s : List.copyOf(list)) {
                if (s.cancelled()) {
                    list.remove(s);
                    free(s);
                    left.add(s);
                }
            }
        }
    }

    private void free(DecodingSequence s) {
        bySlot[s.slot] = null;
        lengths[s.slot] = 0;
        if (s.adapter != null && decoding.stream().noneMatch(o -> o.adapter == s.adapter)
                && prefilling.stream().noneMatch(o -> o.adapter == s.adapter)) {
            lowRanks.remove(s.adapter);
        }
    }

    @Override
    int takeSlot() {
        for (int slot = 0; slot < bySlot.length; slot++) {
            if (bySlot[slot] == null) {
                return slot;
            }
        }
        throw new IllegalStateException("no free KV-cache slot");
    }

    @Override
    public void close() {
        decoding.clear();
        prefilling.clear();
        lowRanks.clear();
    }

    /** The step's packed tokens as they are added; logits rows in the order the tokens that need them were added. */
    private final class Step {
        private long[] ids = new long[16];
        private int[] slots = new int[16];
        private int[] positions = new int[16];
        private final List<Map<String, LowRank>> adapters = new ArrayList<>();
        private int[] logitRows = new int[16];
        private int n;
        private int logits;

        void add(DecodingSequence s, long id, int position, boolean wantLogits) {
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, 2 * n);
                slots = Arrays.copyOf(slots, 2 * n);
                positions = Arrays.copyOf(positions, 2 * n);
            }
            if (wantLogits) {
                if (logits == logitRows.length) {
                    logitRows = Arrays.copyOf(logitRows, 2 * logits);
                }
                logitRows[logits++] = n;
            }
            ids[n] = id;
            slots[n] = s.slot;
            positions[n] = position;
            adapters.add(s.adapter == null ? null : lowRanks.get(s.adapter));
            n++;
        }

        int size() {
            return n;
        }

        PackedTokens tokens() {
            return new PackedTokens(Arrays.copyOf(ids, n), Arrays.copyOf(slots, n), Arrays.copyOf(positions, n),
                    adapters, Arrays.copyOf(logitRows, logits));
        }
    }
}
