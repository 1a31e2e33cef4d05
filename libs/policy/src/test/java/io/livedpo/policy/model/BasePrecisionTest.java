package io.livedpo.policy.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.policy.tokenizer.ChatMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The base in bf16 ({@link BasePrecision#BF16}) against the float32 reference on the committed demo models: the
 * log-probs it assigns drift by a bounded amount, a row's output does not depend on its batch, and nothing trains
 * through it.
 */
class BasePrecisionTest {

    private static final List<String> PROMPTS = List.of("Hello, I am Emma.", "What is 3 plus 4?",
            "How do I boil an egg?", "Is the sun a star?", "Tell me about trains.", "What is 6 times 7?",
            "Hi, my name is Omar.", "How much is 2 plus 9?");

    /**
     * Per-token log-prob drift on the f32 model's own samples. bf16 keeps 8 bits of mantissa (relative error 2⁻⁹ per
     * weight); over these small models' logits that moves a token's log-prob by hundredths of a nat. The bounds leave
     * room for that and fail on anything structural (a transposed or misrounded weight moves log-probs by nats).
     */
    @ParameterizedTest
    @ValueSource(strings = {"demo", "demo-llama"})
    void logProbsDriftLittleFromFloat32(String name) throws IOException {
        Path dir = Path.of("../../models").resolve(name);
        try (PolicyModel f32 = PolicyModel.open(dir);
             PolicyModel bf16 = PolicyModel.open(dir, null, BasePrecision.BF16)) {
            assertEquals(BasePrecision.BF16, bf16.model().precision());
            assertInstanceOf(Bf16Projection.class, bf16.model().projections().values().iterator().next());
            List<long[]> prompts = PROMPTS.stream().map(p -> f32.tokenizer().encode(
                    f32.tokenizer().chat().prompt(List.of(new ChatMessage("user", p))))).toList();
            List<SamplingParams> params = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                params.add(new SamplingParams(1f, 0, 1f, 24, 11 + i, List.of()));
            }
            List<Generation> samples = new Generator(f32.model(), f32.tokenizer()).generate(prompts, params, null);
            List<PromptCompletion> items = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                if (samples.get(i).ids().length > 0) { // a sample may end at once, on its end-of-sequence token
                    items.add(new PromptCompletion(prompts.get(i), samples.get(i).ids()));
                }
            }
            List<ScoredCompletion> want = new Scorer(f32.model()).score(items, null, items.size());
            List<ScoredCompletion> got = new Scorer(bf16.model()).score(items, null, items.size());
            double sum = 0;
            double max = 0;
            int tokens = 0;
            for (int i = 0; i < items.size(); i++) {
                float[] a = want.get(i).tokenLogprobs();
                float[] b = got.get(i).tokenLogprobs();
                assertEquals(a.length, b.length);
                for (int t = 0; t < a.length; t++) {
                    double d = Math.abs(a[t] - b[t]);
                    sum += d;
                    max = Math.max(max, d);
                    tokens++;
                }
            }
            double mean = sum / tokens;
            System.out.printf("%s: bf16 vs f32 per-token log-prob drift over %d tokens: mean %.5f, max %.5f nats%n",
                    name, tokens, mean, max);
            assertTrue(tokens > 50, "tokens scored: " + tokens);
            assertTrue(mean > 0, "bf16 weights must differ from f32 somewhere: is the bf16 path used?");
            assertTrue(mean < 0.005, "mean drift " + mean);
            assertTrue(max < 0.06, "max drift " + max);
        }
    }

    @Test
    void aRowDecodesTheSameAloneAndInABatch() throws IOException {
        try (PolicyModel bf16 = PolicyModel.open(Path.of("../../models/demo"), null, BasePrecision.BF16)) {
            Generator generator = new Generator(bf16.model(), bf16.tokenizer());
            List<long[]> prompts = PROMPTS.stream().map(p -> bf16.tokenizer().encode(p)).toList();
            List<SamplingParams> params = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                params.add(new SamplingParams(1f, 0, 1f, 20, 100 + i, List.of()));
            }
            List<Generation> batched = generator.generate(prompts, params, null);
            for (int i = 0; i < prompts.size(); i++) {
                Generation alone = generator.generate(List.of(prompts.get(i)), List.of(params.get(i)), null).get(0);
                assertArrayEquals(alone.ids(), batched.get(i).ids(), PROMPTS.get(i));
            }
        }
    }

    @Test
    void nothingTrainsThroughTheBf16Base() throws IOException {
        try (PolicyModel bf16 = PolicyModel.open(Path.of("../../models/demo"), null, BasePrecision.BF16);
             NDManager scratch = bf16.manager().newSubManager()) {
            LoraAdapter adapter = LoraAdapter.create(bf16.model(), LoraConfig.defaults(), 1, scratch);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DpoTrainer(bf16.model(), adapter, TrainConfig.defaults()));
            assertTrue(e.getMessage().contains("f32"), e.getMessage());
        }
    }

    @Test
    void parsesTheSettingsSpellingAndNamesTheChoicesWhenWrong() {
        assertEquals(BasePrecision.BF16, BasePrecision.parse(" bf16 "));
        assertEquals(BasePrecision.F32, BasePrecision.parse("F32"));
        assertEquals("bf16", BasePrecision.BF16.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BasePrecision.parse("int4"));
        assertTrue(e.getMessage().contains("f32 or bf16"), e.getMessage());
    }
}
