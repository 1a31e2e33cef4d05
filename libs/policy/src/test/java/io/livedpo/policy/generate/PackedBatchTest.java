package io.livedpo.policy.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.io.Safetensors;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.LowRank;
import io.livedpo.policy.model.PackedGpt2;
import io.livedpo.policy.model.PackedKvCache;
import io.livedpo.policy.model.PackedTokens;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.tokenizer.TokenDecoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java engine against the PyTorch one on real GPT-2 checkpoints (the tiny fixture and the demo model): the same
 * logits to float tolerance, and the same tokens for every sequence however it is batched, chunked or adapted.
 */
class PackedBatchTest {

    private static final TokenDecoder IDS = ids -> Arrays.toString(ids);
    private static final Path DEMO = Path.of("../../models/demo");
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
    @ValueSource(booleans = {false, true})
    void logitsMatchPyTorchForAWholePromptAndTheDecodingStepsAfterIt(boolean adapted) throws IOException {
        try (CausalLm model = CausalLm.load(DEMO, manager); NDManager m = manager.newSubManager();
             NoGrad off = NoGrad.enter()) {
            LoraAdapter adapter = adapted ? randomAdapter(model, m) : null;
            PackedGpt2 engine = PackedGpt2.of(model);
            PackedKvCache cache = engine.newCache(3);
            int vocab = model.config().vocabSize();
            long[] ids = ids(21, 5, vocab);
            Map<String, LowRank> lowRank = adapter == null ? null : adapter.lowRanks();
            // The prompt's first 13 tokens in one step (in slot 2), the rest one token per step, as decoding feeds them.
            int first = 13;
            float[] packed = engine.forward(tokens(ids, 0, first, 2, lowRank), cache);
            assertClose(torchLast(model, Arrays.copyOf(ids, first), adapter, m), packed, "prompt of " + first);
            for (int n = first + 1; n <= ids.length; n++) {
                packed = engine.forward(tokens(ids, n - 1, n, 2, lowRank), cache);
                assertClose(torchLast(model, Arrays.copyOf(ids, n), adapter, m), packed, "step to " + n);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "demo"})
    void sequencesJoiningLeavingAndPrefilledInChunksDecodeAsPyTorchDecodesThemAlone(String which) throws IOException {
        try (CausalLm model = CausalLm.load(dir(which), manager); NoGrad off = NoGrad.enter()) {
            int vocab = model.config().vocabSize();
            List<long[]> prompts = List.of(ids(5, 3, vocab), ids(40, 7, vocab), ids(2, 11, vocab), ids(9, 13, vocab),
                    ids(1, 17, vocab));
            List<SamplingParams> params = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                params.add(i % 2 == 0 ? SamplingParams.greedy(6 + i)
                        : new SamplingParams(1.0f, 0, 0.9f, 6 + i, 100 + i, List.of()));
            }
            Generator generator = new Generator(model, IDS);
            List<DecodingSequence> seqs = new ArrayList<>();
            List<String> events = new ArrayList<>();
            // Two slots and 3 tokens per step: the 40-token prompt is prefilled 1-2 tokens at a time beside a
            // decoding slot, and later prompts join only as earlier ones leave.
            try (PackedBatch batch = new PackedBatch(model, PackedGpt2.of(model), IDS, new BatchLimits(2, 3))) {
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
                long[] alone = generator.generate(List.of(prompts.get(i)), List.of(params.get(i)), null).get(0).ids();
                assertTrue(seqs.get(i).finished(), "sequence " + i);
                assertArrayEquals(alone, seqs.get(i).result().ids(), "sequence " + i + " of " + which);
            }
            assertTrue(events.indexOf("left 0") < events.indexOf("text 1"),
                    "the short sequence should finish while the long prompt is still being prefilled: " + events);
        }
    }

    @Test
    void rowsWithDifferentAdaptersInOneStepEachDecodeAsPyTorchAlone() throws IOException {
        try (CausalLm model = CausalLm.load(Fixtures.TINY, manager); NDManager m = manager.newSubManager();
             NoGrad off = NoGrad.enter()) {
            Map<String, NDArray> tensors = Safetensors.read(Fixtures.TINY_LORA.resolve("adapter_model.safetensors"), m);
            LoraAdapter one = LoraAdapter.fromPeft(model, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS), tensors, m);
            LoraAdapter two = LoraAdapter.fromPeft(model, new LoraConfig(4, 32f, LoraConfig.GPT2_TARGETS), tensors, m);
            int vocab = model.config().vocabSize();
            List<LoraAdapter> rowAdapters = Arrays.asList(one, null, two, one, null, two);
            Generator generator = new Generator(model, IDS);
            List<DecodingSequence> seqs = new ArrayList<>();
            List<long[]> prompts = new ArrayList<>();
            boolean changed = false;
            try (PackedBatch batch = new PackedBatch(model, PackedGpt2.of(model), IDS, new BatchLimits(8, 64))) {
                for (int i = 0; i < rowAdapters.size(); i++) {
                    prompts.add(ids(3 + i, 23 + i % 2, vocab));
                    seqs.add(batch.admit(prompts.get(i), SamplingParams.greedy(8), rowAdapters.get(i), null));
                }
                while (batch.running() > 0) {
                    batch.step();
                }
            }
            for (int i = 0; i < prompts.size(); i++) {
                List<long[]> p = List.of(prompts.get(i));
                List<SamplingParams> g = List.of(SamplingParams.greedy(8));
                long[] alone = generator.generate(p, g, rowAdapters.get(i)).get(0).ids();
                assertArrayEquals(alone, seqs.get(i).result().ids(), "row " + i);
                changed |= rowAdapters.get(i) != null && !Arrays.equals(alone, generator.generate(p, g, null).get(0).ids());
            }
            assertTrue(changed, "the adapters never changed a token: test is vacuous");
        }
    }

    @Test
    void aCancelledSequenceFreesItsSlotAndTheNextOneSeesNoStaleKeys() throws IOException {
        try (CausalLm model = CausalLm.load(DEMO, manager); NoGrad off = NoGrad.enter();
             PackedBatch batch = new PackedBatch(model, PackedGpt2.of(model), IDS, new BatchLimits(1, 8))) {
            int vocab = model.config().vocabSize();
            DecodingSequence first = batch.admit(ids(30, 5, vocab), SamplingParams.greedy(40), null, null);
            batch.step();
            batch.step();
            batch.step();
            batch.step();
            assertFalse(batch.hasRoom());
            assertThrows(IllegalStateException.class,
                    () -> batch.admit(ids(3, 1, vocab), SamplingParams.greedy(2), null, null));
            first.cancel();
            assertEquals(List.of(first), batch.step());
            assertTrue(batch.hasRoom());
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

    @Test
    void theJavaEngineRunsTheGpt2FamilyOnlyAndOtherModelsFallBackToPyTorch() throws IOException {
        try (CausalLm llama = CausalLm.load(Fixtures.TINY_LLAMA, manager);
             CausalLm gpt2 = CausalLm.load(Fixtures.TINY, manager)) {
            assertEquals(DecodeEngine.TORCH, DecodeEngine.JAVA.forModel(llama));
            assertTrue(DecodeEngine.JAVA.whyNot(llama).contains("GPT-2 family"), DecodeEngine.JAVA.whyNot(llama));
            assertThrows(IllegalArgumentException.class, () -> PackedGpt2.of(llama));
            // This JVM has the Vector API module (the build adds it), so GPT-2 runs on the Java engine.
            assertEquals(DecodeEngine.JAVA, DecodeEngine.JAVA.forModel(gpt2));
            assertEquals(DecodeEngine.TORCH, DecodeEngine.TORCH.forModel(gpt2));
        }
    }

    /** PyTorch's logits for the last position of {@code ids}, no cache. */
    private static float[] torchLast(CausalLm model, long[] ids, LoraAdapter adapter, NDManager m) {
        try (NDManager step = m.newSubManager()) {
            NDArray input = step.create(ids, new Shape(1, ids.length));
            NDArray mask = step.ones(new Shape(1, ids.length), ai.djl.ndarray.types.DataType.INT64);
            return model.forward(input, mask, adapter, null, true).toFloatArray();
        }
    }

    private static PackedTokens tokens(long[] ids, int from, int to, int slot, Map<String, LowRank> adapter) {
        int n = to - from;
        int[] slots = new int[n];
        Arrays.fill(slots, slot);
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = from + i;
        }
        return new PackedTokens(Arrays.copyOfRange(ids, from, to), slots, positions,
                Collections.nCopies(n, adapter), new int[] {n - 1});
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst < 2e-4, what + ": logits differ by up to " + worst);
    }

    /** A LoRA adapter with B non-zero, so it changes the logits. */
    private static LoraAdapter randomAdapter(CausalLm model, NDManager m) {
        LoraAdapter a = LoraAdapter.create(model, new LoraConfig(4, 16f, LoraConfig.GPT2_TARGETS), 3, m);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        for (NDArray p : a.parameters()) {
            float[] v = new float[Math.toIntExact(p.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rng.nextGaussian() * 0.05);
            }
            p.set(java.nio.FloatBuffer.wrap(v));
        }
        return a;
    }

    private static Path dir(String which) {
        return which.equals("demo") ? DEMO : Fixtures.ROOT.resolve(which);
    }

    private static long[] ids(int n, long seed, int vocab) {
        return LongStream.range(0, n).map(i -> (seed * 31 + i * 17) % (vocab - 1)).toArray();
    }
}
