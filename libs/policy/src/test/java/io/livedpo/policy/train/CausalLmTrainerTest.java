package io.livedpo.policy.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.model.Gpt2Config;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.optim.WarmupCosine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CausalLmTrainerTest {

    private static final int EOS = 63;
    private static final Gpt2Config CONFIG = new Gpt2Config(64, 32, 32, 2, 2, 1e-5f, EOS, EOS);
    /** The first two share "7 8" and continue differently: memorising them needs attention, not just bigrams. */
    private static final List<long[]> DOCS = List.of(
            new long[] {5, 6, 7, 8, 9, 10, 11, 12, EOS},
            new long[] {20, 7, 8, 21, 22, 23, 24, 25, EOS},
            new long[] {30, 31, 32, 33, EOS},
            new long[] {40, 41, 42, 43, 44, 45, EOS});

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static CausalLmConfig config(long steps) {
        return new CausalLmConfig(new WarmupCosine(1e-2f, 1e-3f, Math.min(10, steps), steps), 1.0f,
                AdamWConfig.defaults().withWeightDecay(0.01));
    }

    @Test
    void overfitsASmallCorpusAndThenRecitesIt() {
        try (Gpt2Model model = Gpt2Model.random(CONFIG, 1L, manager)) {
            CausalLmTrainer trainer = new CausalLmTrainer(model, config(300));
            TokenStream stream = new TokenStream(DOCS, 16, 0L);
            LmStepResult first = trainer.step(stream.next(8));
            assertEquals(Math.log(64), first.loss(), 0.3, "a fresh model is about uniform");
            LmStepResult last = first;
            for (int i = 1; i < 300; i++) {
                last = trainer.step(stream.next(8));
                assertTrue(last.applied());
            }
            assertEquals(300, trainer.steps());
            assertEquals(128, last.tokens());
            assertEquals(1e-3, last.learningRate(), 1e-9, "the cosine ends at the floor");
            // Only the first token after an EOS is a guess (1 in 4): about 0.15 nats averaged over all tokens.
            assertTrue(last.loss() < 0.1 * first.loss(), first.loss() + " -> " + last.loss());

            Generator generator = new Generator(model, ids -> "");
            List<Generation> out = generator.generate(List.of(new long[] {5, 6, 7}, new long[] {20, 7, 8}),
                    List.of(SamplingParams.greedy(10), SamplingParams.greedy(10)), null);
            assertArrayEquals(new long[] {8, 9, 10, 11, 12}, out.get(0).ids());
            assertArrayEquals(new long[] {21, 22, 23, 24, 25}, out.get(1).ids());
            assertEquals(Generation.STOP, out.get(0).finishReason(), "stops at the memorised EOS");
        }
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        Map<String, float[]> a = trainFewSteps(3L);
        Map<String, float[]> b = trainFewSteps(3L);
        a.forEach((name, w) -> assertArrayEquals(w, b.get(name), name));
        assertFalse(Arrays.equals(a.get("wte.weight"), trainFewSteps(4L).get("wte.weight")));
    }

    private static Map<String, float[]> trainFewSteps(long seed) {
        try (Gpt2Model model = Gpt2Model.random(CONFIG, seed, manager)) {
            CausalLmTrainer trainer = new CausalLmTrainer(model, config(5));
            TokenStream stream = new TokenStream(DOCS, 16, seed);
            for (int i = 0; i < 5; i++) {
                trainer.step(stream.next(4));
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            model.weights().forEach((name, w) -> out.put(name, w.toFloatArray()));
            return out;
        }
    }

    @Test
    void nonFiniteBatchIsSkippedCountedAndLeavesTheWeightsAlone() {
        try (Gpt2Model model = Gpt2Model.random(CONFIG, 1L, manager)) {
            CausalLmTrainer trainer = new CausalLmTrainer(model, config(10));
            TokenStream stream = new TokenStream(DOCS, 16, 0L);
            assertTrue(trainer.step(stream.next(2)).applied());
            NDArray gain = model.weights().get("ln_f.weight");
            float[] poisoned = gain.toFloatArray();
            float saved = poisoned[0];
            poisoned[0] = Float.NaN; // as an overflow upstream would leave it
            gain.set(poisoned);
            List<float[]> before = new ArrayList<>();
            model.weights().values().forEach(w -> before.add(w.toFloatArray()));

            LmStepResult r = trainer.step(stream.next(2));

            assertFalse(r.applied());
            assertEquals("nonfinite_loss", r.skipReason());
            assertEquals(1, r.step());
            assertEquals(1, trainer.steps());
            assertEquals(1, trainer.skippedBatches());
            List<NDArray> after = new ArrayList<>(model.weights().values());
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i).toFloatArray(), "weight " + i + " moved");
            }
            poisoned[0] = saved;
            gain.set(poisoned);
            LmStepResult next = trainer.step(stream.next(2));
            assertTrue(next.applied() && Double.isFinite(next.loss()) && Double.isFinite(next.gradNorm()));
            assertEquals(2, trainer.steps());
        }
    }

    @Test
    void stepsLeaveNoLiveArraysBehind() {
        try (NDManager own = NDManager.newBaseManager(); Gpt2Model model = Gpt2Model.random(CONFIG, 1L, own)) {
            CausalLmTrainer trainer = new CausalLmTrainer(model, config(50));
            TokenStream stream = new TokenStream(DOCS, 16, 0L);
            trainer.step(stream.next(4)); // creates the gradients, which live with the weights
            int baseline = own.getManagedArrays().size();
            for (int i = 0; i < 50; i++) {
                trainer.step(stream.next(4));
            }
            assertEquals(baseline, own.getManagedArrays().size());
        }
    }
}
