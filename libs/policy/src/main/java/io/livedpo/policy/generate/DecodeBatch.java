package io.livedpo.policy.generate;

import io.livedpo.policy.lora.LoraAdapter;
import java.util.List;
import java.util.function.Consumer;

/**
 * Iteration-level batching over one base model, as a decoding thread drives it: sequences are admitted while there is
 * room, each {@link #step()} advances every running sequence (a prompt chunk or one new token) and returns those that
 * left. Two engines: {@link ContinuousBatch} (PyTorch, any model) and {@link PackedBatch} (Java, the GPT-2 family).
 * Single-threaded: the caller's decoding thread owns it.
 */
public interface DecodeBatch extends AutoCloseable {

    /** Whether {@link #admit} may take another sequence now. */
    boolean hasRoom();

    /** Sequences holding a slot. */
    int running();

    /** Rows of the last step that decoded a token (0 when it only prefilled). */
    int lastDecodeRows();

    /**
     * Takes a sequence into the batch; its prompt is prefilled from the next step on.
     *
     * @param adapter the policy's LoRA adapter, null for the base model
     * @param onText  receives the sequence's new final text as it grows, on the decoding thread; null for none
     * @throws IllegalArgumentException when the prompt leaves no room in the context to generate
     * @throws IllegalStateException    when the batch is full ({@link #hasRoom()})
     */
    DecodingSequence admit(long[] prompt, SamplingParams params, LoraAdapter adapter, Consumer<String> onText);

    /**
     * One iteration: drops cancelled sequences, feeds prompt chunks within the step's token budget, decodes one token
     * for every sequence whose prompt is cached.
     *
     * @return the sequences that left the batch in this step: finished or cancelled
     */
    List<DecodingSequence> step();

    @Override
    void close();
}
