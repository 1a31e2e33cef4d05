package io.livedpo.policy.generate;

import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.tokenizer.TokenDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What both engines' batches share: sequences decoding and prefilling, each holding one of {@code maxRunning} KV-cache
 * slots, and admission. Each engine decides which slot a new sequence takes and how its cache is readied.
 */
abstract class SlotBatch implements DecodeBatch {

    final CausalLm model;
    final TokenDecoder tokenizer;
    final BatchLimits limits;
    final Set<Long> stopIds;
    final List<DecodingSequence> decoding = new ArrayList<>();
    final List<DecodingSequence> prefilling = new ArrayList<>(); // admission order
    final DecodingSequence[] bySlot; // who holds each slot, null when free
    int lastDecodeRows;

    SlotBatch(CausalLm model, TokenDecoder tokenizer, BatchLimits limits) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.limits = limits;
        this.stopIds = DecodingSequence.stopIds(tokenizer, model.config());
        this.bySlot = new DecodingSequence[limits.maxRunning()];
    }

    @Override
    public boolean hasRoom() {
        return running() < limits.maxRunning();
    }

    @Override
    public int running() {
        return decoding.size() + prefilling.size();
    }

    @Override
    public int lastDecodeRows() {
        return lastDecodeRows;
    }

    @Override
    public DecodingSequence admit(long[] prompt, SamplingParams params, LoraAdapter adapter, Consumer<String> onText) {
        if (!hasRoom()) {
            throw new IllegalStateException("batch is full: " + running() + " sequences running");
        }
        DecodingSequence s = DecodingSequence.of(prompt, params, adapter, model.config(), tokenizer, onText);
        s.slot = takeSlot();
        bySlot[s.slot] = s;
        readySlot(s);
        prefilling.add(s);
        return s;
    }

    /** A free slot for a new sequence (one exists: {@link #hasRoom()} was checked). */
    abstract int takeSlot();

    /** Prepares the engine's state for {@code s}, which has just taken its slot. */
    abstract void readySlot(DecodingSequence s);
}
