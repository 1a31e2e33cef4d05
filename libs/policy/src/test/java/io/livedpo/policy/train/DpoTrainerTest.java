package io.livedpo.policy.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DpoTrainerTest {

    private static NDManager manager;
    private static Gpt2Model model;
    private static List<PreferenceExample> pairs;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        model = Gpt2Model.load(Fixtures.TINY, manager);
        try (TextTokenizer tokenizer = TextTokenizer.load(Fixtures.TINY)) {
            PreferenceEncoder encoder = new PreferenceEncoder(tokenizer, model.config().bosTokenId(),
                    model.config().eosTokenId());
            // A synthetic preference: polite, correct answers over rude or wrong ones.
            String[][] data = {
                    {"User: What is 2 + 2?\nAssistant:", " 2 + 2 is 4.", " I don't care."},
                    {"User: Hello, I am Ana.\nAssistant:", " Hello Ana, nice to meet you!", " Go away."},
                    {"User: How do I boil an egg?\nAssistant:", " Put the egg in boiling water for eight minutes.",
                            " Eggs are boring."},
                    {"User: What is 3 + 5?\nAssistant:", " 3 + 5 is 8.", " 3 + 5 is 35."},
            };
            pairs = new ArrayList<>();
            for (int i = 0; i < data.length; i++) {
                pairs.add(encoder.encode("pair-" + i, data[i][0], data[i][1], data[i][2]));
            }
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest
    @EnumSource(DpoLossType.class)
    void dpoRaisesTheMarginAndTheChosenProbability(DpoLossType loss) {
        TrainConfig config = new TrainConfig(new DpoConfig(loss, 0.5, 0, 0), 1e-2f, 0, 1.0f, AdamWConfig.defaults());
        try (LoraAdapter adapter = LoraAdapter.create(model, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS), 3L,
                manager)) {
            DpoTrainer trainer = new DpoTrainer(model, adapter, config);
            double chosenBefore = chosenLogProb(adapter);
            StepResult first = trainer.step(pairs);
            assertEquals(0.0, first.metrics().get("rewards/margins"), 1e-6, "a fresh adapter is the reference");
            StepResult last = first;
            for (int i = 0; i < 30; i++) {
                last = trainer.step(pairs);
            }
            assertTrue(last.applied());
            // No batch may be skipped: a non-finite gradient here once came from DJL's number-operand tensors being
            // freed before the backward pass (see nd/Scalars).
            assertEquals(0, trainer.skippedBatches(), "skipped batches");
            assertEquals(31, trainer.steps());
            // IPO settles at a per-token margin of 1/(2β), i.e. a reward margin of 0.5 here; the others keep growing.
            assertTrue(last.metrics().get("rewards/margins") > 0.3, "margin " + last.metrics());
            assertEquals(1.0, last.metrics().get("rewards/accuracies"), 1e-9);
            assertTrue(last.metrics().get("loss") < first.metrics().get("loss"), last.metrics().toString());
            if (loss != DpoLossType.IPO) { // IPO pulls the margin to 1/(2β) and may lower both likelihoods
                assertTrue(chosenLogProb(adapter) > chosenBefore,
                        "chosen log-prob fell from " + chosenBefore + " to " + chosenLogProb(adapter));
            }
            for (String key : List.of("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies",
                    "rewards/margins", "logps/chosen", "logps/rejected", "grad_norm", "learning_rate")) {
                assertTrue(Double.isFinite(last.metrics().get(key)), key);
            }
        }
    }

    @Test
    void sftTermRaisesTheChosenProbability() {
        TrainConfig config = new TrainConfig(new DpoConfig(DpoLossType.SIGMOID, 0.1, 0, 1.0), 1e-2f, 0, 1.0f,
                AdamWConfig.defaults());
        try (LoraAdapter adapter = LoraAdapter.create(model, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS), 3L,
                manager)) {
            DpoTrainer trainer = new DpoTrainer(model, adapter, config);
            double before = chosenLogProb(adapter);
            for (int i = 0; i < 20; i++) {
                trainer.step(pairs);
            }
            assertTrue(chosenLogProb(adapter) > before + 1.0, before + " -> " + chosenLogProb(adapter));
        }
    }

    @Test
    void nonFiniteBatchIsSkippedCountedAndNeverApplied() {
        try (LoraAdapter adapter = LoraAdapter.create(model, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS), 3L,
                manager)) {
            DpoTrainer trainer = new DpoTrainer(model, adapter, TrainConfig.defaults());
            trainer.step(pairs);
            NDArray a = adapter.parameters().get(0);
            float[] poisoned = a.toFloatArray();
            poisoned[0] = Float.NaN; // as an overflow upstream would leave it
            a.set(poisoned);
            List<float[]> before = adapter.parameters().stream().map(NDArray::toFloatArray).toList();
            StepResult r = trainer.step(pairs);
            assertFalse(r.applied());
            assertEquals("nonfinite_loss", r.skipReason());
            assertEquals(List.of("pair-0", "pair-1", "pair-2", "pair-3"), r.pairIds());
            assertEquals(1, trainer.skippedBatches());
            assertEquals(1, trainer.steps());
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), adapter.parameters().get(i).toFloatArray(), "parameter " + i);
            }
        }
    }

    @Test
    void metricsDescribeTheBatchBeforeTheUpdate() {
        try (LoraAdapter adapter = LoraAdapter.create(model, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS), 3L,
                manager)) {
            DpoTrainer trainer = new DpoTrainer(model, adapter, TrainConfig.defaults());
            StepResult r = trainer.step(pairs.subList(0, 2));
            double chosen = 0;
            for (PreferenceExample p : pairs.subList(0, 2)) {
                chosen += new Scorer(model).score(List.of(new PromptCompletion(p.promptIds(), p.chosenIds())), null, 1)
                        .get(0).logprob();
            }
            assertEquals(chosen / 2, r.metrics().get("logps/chosen"), 1e-3);
            assertNull(r.skipReason());
        }
    }

    private static double chosenLogProb(LoraAdapter adapter) {
        List<PromptCompletion> chosen = pairs.stream().map(p -> new PromptCompletion(p.promptIds(), p.chosenIds()))
                .toList();
        return new Scorer(model).score(chosen, adapter, chosen.size()).stream().mapToDouble(s -> s.logprob()).sum();
    }
}
