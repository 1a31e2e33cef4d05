package io.livedpo.policy.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.MixedLora;
import io.livedpo.policy.model.CacheStep;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.KvCache;
import io.livedpo.policy.tokenizer.TokenDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Iteration-level (continuous) batching over one base model, as Orca and vLLM schedule: every {@link #step()} first
 * feeds waiting prompts a chunk each within the step's token budget, then decodes one token for every sequence that
 * has its prompt cached; a finished or cancelled sequence leaves at once and its KV-cache slot takes the next one.
 * Rows may use different adapters (see {@link MixedLora}). Decoding sequences are kept in slots 0..D-1 so the decode
 * forward reads the cache as a view; prefilling ones take slots from the top and move down when their prompt is in.
 * Single-threaded: the caller's decoding thread owns it; run it with autograd off.
 */
public final class ContinuousBatch extends SlotBatch {

    private final NDManager manager;
    private final KvCache cache; // decoding.get(i).slot == i

    public ContinuousBatch(CausalLm model, TokenDecoder tokenizer, BatchLimits limits) {
        super(model, tokenizer, limits);
        this.manager = model.manager().newSubManager();
        this.cache = KvCache.forModel(model, manager, limits.maxRunning());
    }

    @Override
    void readySlot(DecodingSequence s) {
        cache.clear(s.slot);
    }

    @Override
    public List<DecodingSequence> step() {
        List<DecodingSequence> left = new ArrayList<>();
        dropCancelled(left);
        lastDecodeRows = 0;
        List<DecodingSequence> toDecode = new ArrayList<>(decoding);
        prefill(limits.stepTokens() - toDecode.size(), left);
        if (!toDecode.isEmpty()) {
            lastDecodeRows = toDecode.size();
            decode(toDecode, left);
        }
        return left;
    }

    /** Prompt chunks for the oldest waiting prompts, {@code budget} tokens in all; completed prompts start decoding. */
    private void prefill(int budget, List<DecodingSequence> left) {
        List<DecodingSequence> rows = new ArrayList<>();
        List<Integer> chunks = new ArrayList<>();
        for (DecodingSequence s : prefilling) {
            if (budget <= 0) {
                break;
            }
            int chunk = Math.min(budget, s.prompt.length - s.prefilled);
            rows.add(s);
            chunks.add(chunk);
            budget -= chunk;
        }
        if (rows.isEmpty()) {
            return;
        }
        int t = chunks.stream().mapToInt(Integer::intValue).max().orElseThrow();
        int b = rows.size();
        long[] ids = new long[b * t];
        int[] slots = new int[b];
        int[] fresh = new int[b];
        for (int r = 0; r < b; r++) {
            DecodingSequence s = rows.get(r);
            slots[r] = s.slot;
            fresh[r] = chunks.get(r);
            for (int i = 0; i < t; i++) {
                // Padding repeats the chunk's last token; its outputs are never read.
                ids[r * t + i] = s.prompt[s.prefilled + Math.min(i, fresh[r] - 1)];
            }
        }
        float[] logits = forward(ids, slots, fresh, t, rows);
        int vocab = model.config().vocabSize();
        for (int r = 0; r < b; r++) {
            DecodingSequence s = rows.get(r);
            s.prefilled += fresh[r];
            if (!s.prefilling()) {
                prefilling.remove(s);
                // Its first token comes from the prompt's last position.
                s.sample(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab), stopIds);
                if (s.finished() || s.cancelled()) {
                    free(s);
                    left.add(s);
                } else {
                    startDecoding(s);
                }
            }
        }
    }

    private void decode(List<DecodingSequence> rows, List<DecodingSequence> left) {
        int b = rows.size();
        long[] ids = new long[b];
        int[] slots = new int[b];
        int[] fresh = new int[b];
        for (int r = 0; r < b; r++) {
            ids[r] = rows.get(r).lastToken();
            slots[r] = rows.get(r).slot;
            fresh[r] = 1;
        }
        float[] logits = forward(ids, slots, fresh, 1, rows);
        int vocab = model.config().vocabSize();
        for (int r = 0; r < b; r++) {
            DecodingSequence s = rows.get(r);
            s.sample(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab), stopIds);
        }
        for (int r = b - 1; r >= 0; r--) { // highest slot first, so compaction never moves a leaving row
            DecodingSequence s = rows.get(r);
            if (s.finished() || s.cancelled()) {
                leaveDecoding(s);
                left.add(s);
            }
        }
    }

    /** One forward over the rows' new tokens; returns each row's last real position's logits, [B * V]. */
    private float[] forward(long[] ids, int[] slots, int[] fresh, int t, List<DecodingSequence> rows) {
        try (NDScope scope = new NDScope()) {
            NDArray input = manager.create(ids, new Shape(slots.length, t)); // [B, T]
            CacheStep step = cache.begin(manager, slots, fresh, t);
            List<LoraAdapter> adapters = rows.stream().map(s -> s.adapter).toList();
            return model.forward(input, null, MixedLora.of(adapters, manager), step, true).toFloatArray(); // [B,1,V]
        }
    }

    private void dropCancelled(List<DecodingSequence> left) {
        for (int r = decoding.size() - 1; r >= 0; r--) {
            DecodingSequence s = decoding.get(r);
            if (s.cancelled()) {
                leaveDecoding(s);
                left.add(s);
            }
        }
        for (DecodingSequence s : List.copyOf(prefilling)) {
            if (s.cancelled()) {
                prefilling.remove(s);
                free(s);
                left.add(s);
            }
        }
    }

    /** Frees a decoding sequence's slot and moves the last decoding one into it, keeping slots 0..D-1 dense. */
    private void leaveDecoding(DecodingSequence s) {
        int hole = s.slot;
        DecodingSequence last = decoding.remove(decoding.size() - 1);
        free(s);
        if (last != s) {
            decoding.set(hole, last);
            cache.move(last.slot, hole);
            bySlot[last.slot] = null;
            bySlot[hole] = last;
            last.slot = hole;
        }
    }

    /**
     * A prefilled sequence joins the decoding ones at slot D; a prefilling sequence that sits there trades slots with
     * it, so prefilling ones always stay above the decoding ones.
     */
    private void startDecoding(DecodingSequence s) {
        int to = decoding.size();
        DecodingSequence occupant = bySlot[to];
        if (occupant == null) {
            bySlot[s.slot] = null;
            cache.move(s.slot, to);
        } else if (occupant != s) {
            cache.swap(s.slot, to);
            occupant.slot = s.slot;
            bySlot[s.slot] = occupant;
        }
        s.slot = to;
        bySlot[to] = s;
        decoding.add(s);
    }

    private void free(DecodingSequence s) {
        bySlot[s.slot] = null;
        cache.clear(s.slot);
    }

    /** Prefilling sequences take the highest free slot, away from the decoding ones at the bottom. */
    @Override
    int takeSlot() {
        for (int slot = bySlot.length - 1; slot >= decoding.size(); slot--) {
            if (bySlot[slot] == null) {
                return slot;
            }
        }
        throw new IllegalStateException("no free KV-cache slot");
    }

    @Override
    public void close() {
        manager.close();
    }
}
