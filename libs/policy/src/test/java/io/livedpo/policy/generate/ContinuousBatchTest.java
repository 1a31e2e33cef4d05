package io.livedpo.policy.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.LoadedAdapter;
import io.livedpo.policy.io.Safetensors;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.tokenizer.TokenDecoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Continuous batching on the real fixture models of both families (GPT-2 learned positions, Llama rotary): whatever
 * joins, leaves, is prefilled in chunks or decoded with another adapter alongside, each sequence gets exactly the
 * tokens it gets alone.
 */
class ContinuousBatchTest {

    private static final TokenDecoder IDS = ids -> Arrays.toString(ids);
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void sequencesJoiningLeavingAndPrefilledInChunksDecodeAsTheyDoAlone(String fixture) throws IOException {
        try (CausalLm model = CausalLm.load(Fixtures.ROOT.resolve(fixture), manager); NoGrad off = NoGrad.enter()) {
            int vocab = model.config().vocabSize();
            List<long[]> prompts = List.of(ids(5, 3, vocab), ids(40, 7, vocab), ids(2, 11, vocab), ids(9, 13, vocab),
                    ids(1, 17, vocab));
            List<SamplingParams> params = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                params.add(i % 2 == 0 ? SamplingParams.greedy(6 + i)
                        : new SamplingParams(1.0f, 0, 0.9f, 6 + i, 100 + i, List.of()));
            }
            Generator generator = new Generator(model, IDS);
            List<long[]> alone = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                alone.add(generator.generate(List.of(prompts.get(i)), List.of(params.get(i)), null).get(0).ids());
            }
            // Two slots and 3 tokens per step: the 40-token prompt is prefilled 1-2 tokens at a time while the other
            // slot decodes, and the later prompts join only as earlier ones leave.
            List<String> events = new ArrayList<>();
            List<DecodingSequence> seqs = new ArrayList<>();
            try (ContinuousBatch batch = new ContinuousBatch(model, IDS, new BatchLimits(2, 3))) {
                int next = 0;
                while (next < prompts.size() || batch.running() > 0) {
                    while (next < prompts.size() && batch.hasRoom()) {
                        int row = next++;
                        seqs.add(batch.admit(prompts.get(row), params.get(row), null, t -> events.add("text " + row)));
                    }
                    for (DecodingSequence left : batch.step()) {
                        events.add("left " + seqs.indexOf(left));
                    }
                }
            }
            for (int i = 0; i < prompts.size(); i++) {
                assertTrue(seqs.get(i).finished(), "sequence " + i);
                assertArrayEquals(alone.get(i), seqs.get(i).result().ids(), "sequence " + i + " of " + fixture);
            }
            assertTrue(events.indexOf("left 0") < events.indexOf("text 1"),
                    "the short sequence should finish while the long prompt is still being prefilled: " + events);
            assertTrue(events.indexOf("left 0") < events.indexOf("text 2"), "sequence 2 joined only after 0 left");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void aCancelledSequenceLeavesAtTheNextStepAndItsSlotServesTheNext(String fixture) throws IOException {
        try (CausalLm model = CausalLm.load(Fixtures.ROOT.resolve(fixture), manager); NoGrad off = NoGrad.enter();
             ContinuousBatch batch = new ContinuousBatch(model, IDS, new BatchLimits(1, 8))) {
            int vocab = model.config().vocabSize();
            DecodingSequence first = batch.admit(ids(6, 5, vocab), SamplingParams.greedy(20), null, null);
            batch.step();
            batch.step();
            assertFalse(batch.hasRoom());
            first.cancel();
            assertEquals(List.of(first), batch.step());
            assertTrue(batch.hasRoom());
            assertFalse(first.finished());
            long[] prompt = ids(7, 19, vocab);
            DecodingSequence second = batch.admit(prompt, SamplingParams.greedy(6), null, null);
            while (batch.running() > 0) {
                batch.step();
            }
            long[] alone = new Generator(model, IDS).generate(List.of(prompt), List.of(SamplingParams.greedy(6)), null)
                    .get(0).ids();
            assertArrayEquals(alone, second.result().ids(), "the reused slot's stale keys leaked into the next sequence");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void rowsWithDifferentAdaptersInOneBatchEachDecodeAsAlone(String fixture) throws IOException {
        Path dir = Fixtures.ROOT.resolve(fixture);
        try (CausalLm model = CausalLm.load(dir, manager); NDManager m = manager.newSubManager();
             NoGrad off = NoGrad.enter()) {
            LoraAdapter one = adapter(model, fixture, 1, m);
            LoraAdapter two = adapter(model, fixture, 4, m);
            int vocab = model.config().vocabSize();
            // Base-only rows between adapter rows, rows of one adapter apart: every grouping case.
            List<LoraAdapter> rowAdapters = Arrays.asList(one, null, two, one, null, two);
            List<long[]> prompts = new ArrayList<>();
            List<SamplingParams> params = new ArrayList<>();
            for (int i = 0; i < rowAdapters.size(); i++) {
                prompts.add(ids(3 + i, 23 + i % 2, vocab)); // row pairs (0, 2), (1, 3)... share a prompt's start
                params.add(SamplingParams.greedy(8));
            }
            Generator generator = new Generator(model, IDS);
            List<Generation> mixed = generator.generateMixed(prompts, params, rowAdapters, TextListener.NONE);
            List<long[]> underBase = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                long[] alone = generator.generate(List.of(prompts.get(i)), List.of(params.get(i)), rowAdapters.get(i))
                        .get(0).ids();
                assertArrayEquals(alone, mixed.get(i).ids(), "row " + i + " of " + fixture);
                underBase.add(generator.generate(List.of(prompts.get(i)), List.of(params.get(i)), null).get(0).ids());
            }
            assertTrue(rowsDiffer(mixed, underBase, rowAdapters), "the adapters never changed a token: test is vacuous");
        }
    }

    private static boolean rowsDiffer(List<Generation> mixed, List<long[]> base, List<LoraAdapter> adapters) {
        for (int i = 0; i < mixed.size(); i++) {
            if (adapters.get(i) != null && !Arrays.equals(mixed.get(i).ids(), base.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** The fixture's PEFT adapter with its update scaled by {@code times}, so two adapters differ. */
    private static LoraAdapter adapter(CausalLm model, String fixture, float times, NDManager m) throws IOException {
        if (fixture.equals("tiny-gpt2")) {
            Map<String, NDArray> tensors = Safetensors.read(Fixtures.TINY_LORA.resolve("adapter_model.safetensors"), m);
            return LoraAdapter.fromPeft(model, new LoraConfig(4, 8f * times, LoraConfig.GPT2_TARGETS), tensors, m);
        }
        try (NDManager staging = m.newSubManager()) {
            LoadedAdapter loaded = AdapterCheckpoint.read(Fixtures.TINY_LLAMA_LORA, staging, null);
            LoraConfig c = loaded.config();
            return LoraAdapter.fromPeft(model, new LoraConfig(c.rank(), c.alpha() * times, c.targetModules()),
                    loaded.tensors(), m);
        }
    }

    /** A deterministic prompt of {@code n} ids below the vocabulary. */
    private static long[] ids(int n, long seed, int vocab) {
        return LongStream.range(0, n).map(i -> (seed * 31 + i * 17) % (vocab - 1)).toArray();
    }
}
