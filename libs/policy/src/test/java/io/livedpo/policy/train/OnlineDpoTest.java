package io.livedpo.policy.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.dpo.KtoConfig;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.optim.LrScheduleKind;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The live recipe's knobs on real model math: steps per batch, replay, TR-DPO's reference refresh, staleness. */
class OnlineDpoTest {

    /** Sigmoid DPO's loss where the policy equals its reference: −log σ(0). */
    private static final double LN2 = Math.log(2);

    private static NDManager manager;
    private static Gpt2Model model;
    private static List<PreferenceExample> pairs;
    /** One answer no pair holds, voted up and (in another run) down. */
    private static ThumbsExample liked;
    private static ThumbsExample disliked;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        model = Gpt2Model.load(Fixtures.TINY, manager);
        try (TextTokenizer tokenizer = TextTokenizer.load(Fixtures.TINY)) {
            PreferenceEncoder encoder = new PreferenceEncoder(tokenizer, model.config().bosTokenId(),
                    model.config().eosTokenId());
            String[][] data = {
                    {"User: What is 2 + 2?\nAssistant:", " 2 + 2 is 4.", " I don't care."},
                    {"User: Hello, I am Ana.\nAssistant:", " Hello Ana!", " Go away."},
                    {"User: What is 3 + 5?\nAssistant:", " 3 + 5 is 8.", " 3 + 5 is 35."},
                    {"User: Is the sun hot?\nAssistant:", " Yes, very.", " No."},
            };
            pairs = new ArrayList<>();
            for (int i = 0; i < data.length; i++) {
                pairs.add(encoder.encode("pair-" + i, data[i][0], data[i][1], data[i][2]));
            }
            liked = encoder.encodeThumbs("vote-up", "User: Is ice cold?\nAssistant:", " Yes, it is cold.", true);
            disliked = new ThumbsExample("vote-down", liked.promptIds(), liked.completionIds(), false);
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static TrainConfig plainDpo() {
        return new TrainConfig(new DpoConfig(DpoLossType.SIGMOID, 0.5, 0, 0), 2e-2f, 0, 1.0f, AdamWConfig.defaults());
    }

    private static LoraAdapter adapter() {
        return LoraAdapter.create(model, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS), 3L, manager);
    }

    @Test
    void stepsTakeTheRateOfTheConfiguredDecay() {
        TrainConfig d = plainDpo();
        TrainConfig decaying = new TrainConfig(d.dpo(), d.learningRate(), 0, d.maxGradNorm(), d.adamw(),
                new LrDecay(LrScheduleKind.INVERSE_SQRT, 1, 0.4));
        try (LoraAdapter adapter = adapter()) {
            OnlineDpo online = new OnlineDpo(new DpoTrainer(model, adapter, decaying), OnlineRecipe.defaults(), 1);
            List<Double> rates = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                rates.add(online.train(pairs.subList(i % 4, i % 4 + 1)).metrics().get("learning_rate"));
            }
            // Peak at step 1, peak/2 at step 4 (√(1/4)), the floor of 0.4 · peak from step 7 on (√(1/7) < 0.4).
            assertEquals(2e-2, rates.get(0), 1e-7);
            assertEquals(1e-2, rates.get(3), 1e-7);
            assertEquals(0.8e-2, rates.get(8), 1e-7);
            for (int i = 1; i < rates.size(); i++) {
                assertTrue(rates.get(i) <= rates.get(i - 1), "step " + (i + 1));
            }
        }
    }

    @Test
    void eachBatchTakesItsStepsAndReportsOnlyItsOwnPairs() {
        try (LoraAdapter adapter = adapter()) {
            OnlineDpo online = new OnlineDpo(new DpoTrainer(model, adapter, plainDpo()),
                    new OnlineRecipe(3, 0, 0, 0, 1, -1), 1);
            StepResult r = online.train(pairs.subList(0, 2));
            assertTrue(r.applied());
            assertEquals(3, online.trainer().steps());
            assertEquals(3, r.step());
            assertEquals(List.of("pair-0", "pair-1"), r.pairIds());
            assertEquals(0.0, r.metrics().get("replayed_pairs"));
        }
    }

    @Test
    void replayAddsEarlierPairsToLaterSteps() {
        try (LoraAdapter adapter = adapter()) {
            OnlineDpo online = new OnlineDpo(new DpoTrainer(model, adapter, plainDpo()),
                    new OnlineRecipe(2, 2, 2, 0, 1, -1), 1);
            assertEquals(0.0, online.train(pairs.subList(0, 2)).metrics().get("replayed_pairs"),
                    "nothing to replay before the first batch");
            StepResult second = online.train(pairs.subList(2, 4));
            assertEquals(4.0, second.metrics().get("replayed_pairs"), "two replayed pairs in each of two steps");
            assertEquals(List.of("pair-2", "pair-3"), second.pairIds());
        }
    }

    @Test
    void aHardRefreshMakesTheReferenceThePolicy() {
        try (LoraAdapter moving = adapter(); LoraAdapter fixed = adapter()) {
            OnlineDpo refreshed = new OnlineDpo(new DpoTrainer(model, moving, plainDpo()),
                    new OnlineRecipe(1, 0, 0, 2, 1, -1), 1);
            OnlineDpo anchored = new OnlineDpo(new DpoTrainer(model, fixed, plainDpo()),
                    OnlineRecipe.defaults(), 1);
            for (int i = 0; i < 2; i++) {
                refreshed.train(pairs);
                anchored.train(pairs);
            }
            assertTrue(refreshed.trainer().movingReference());
            assertFalse(anchored.trainer().movingReference());
            // Step 3 measures its loss before updating: against a reference just copied from the policy it is
            // exactly ln 2; against the base, after two steps of learning, it is lower.
            double movingLoss = refreshed.train(pairs).metrics().get("loss");
            double anchoredLoss = anchored.train(pairs).metrics().get("loss");
            assertEquals(LN2, movingLoss, 1e-4);
            assertTrue(anchoredLoss < LN2 - 1e-3, "anchored loss " + anchoredLoss);
        }
    }

    @Test
    void aSoftRefreshMovesTheReferencePartWay() {
        try (LoraAdapter policy = adapter(); LoraAdapter reference = policy.frozenCopy(manager)) {
            // B (index 1): the first step moves B only, since A's gradient is zero while B is.
            float[] before = reference.parameters().get(1).toFloatArray();
            new DpoTrainer(model, policy, plainDpo()).step(pairs);
            float[] trained = policy.parameters().get(1).toFloatArray();
            reference.moveToward(policy, 0.25f);
            float[] after = reference.parameters().get(1).toFloatArray();
            assertNotEquals(0.0, java.util.stream.IntStream.range(0, trained.length)
                    .mapToDouble(i -> Math.abs(trained[i] - before[i])).max().orElse(0), "the step changed B");
            for (int i = 0; i < after.length; i++) {
                assertEquals(0.25f * trained[i] + 0.75f * before[i], after[i], 1e-6f);
            }
            assertFalse(reference.parameters().get(1).hasGradient(), "the frozen copy takes no gradient");
        }
    }

    @Test
    void aThumbsUpRaisesTheAnswersLogRatioAndAThumbsDownLowersIt() {
        KtoConfig on = new KtoConfig(1, 1, 1);
        try (LoraAdapter pairsOnly = adapter(); LoraAdapter up = adapter(); LoraAdapter down = adapter()) {
            // The same pairs in every run; only the single vote beside them differs.
            OnlineDpo plain = new OnlineDpo(new DpoTrainer(model, pairsOnly, plainDpo()), OnlineRecipe.defaults(), 1);
            OnlineDpo withUp = new OnlineDpo(new DpoTrainer(model, up, plainDpo()), OnlineRecipe.defaults(), on, 1);
            OnlineDpo withDown = new OnlineDpo(new DpoTrainer(model, down, plainDpo()), OnlineRecipe.defaults(), on,
                    1);
            StepResult first = null;
            for (int i = 0; i < 4; i++) {
                plain.train(pairs);
                StepResult r = withUp.train(pairs, List.of(liked));
                first = first == null ? r : first;
                withDown.train(pairs, List.of(disliked));
            }
            // A fresh adapter is the reference: r = 0 and z0 = 0, so the first KTO loss is 1 − σ(0).
            assertEquals(0.5, first.metrics().get("kto/loss"), 1e-5);
            assertEquals(0.0, first.metrics().get("kto/kl"), 1e-5);
            double base = logRatio(pairsOnly);
            assertTrue(logRatio(up) > base + 0.05, "up " + logRatio(up) + " vs pairs only " + base);
            assertTrue(logRatio(up) > 0, "above the reference: " + logRatio(up));
            assertTrue(logRatio(down) < base - 0.05, "down " + logRatio(down) + " vs pairs only " + base);
        }
    }

    @Test
    void singlesAreIgnoredWhileKtoIsOff() {
        try (LoraAdapter a = adapter(); LoraAdapter b = adapter()) {
            OnlineDpo plain = new OnlineDpo(new DpoTrainer(model, a, plainDpo()), OnlineRecipe.defaults(), 1);
            OnlineDpo off = new OnlineDpo(new DpoTrainer(model, b, plainDpo()), OnlineRecipe.defaults(),
                    KtoConfig.defaults(), 1);
            plain.train(pairs);
            StepResult r = off.train(pairs, List.of(liked));
            assertFalse(r.metrics().containsKey("kto/loss"));
            assertEquals(logRatio(a), logRatio(b), 1e-6);
        }
    }

    /** log π(answer) − log π_ref(answer) of the voted answer under {@code adapter}. */
    private static double logRatio(LoraAdapter adapter) {
        Scorer scorer = new Scorer(model);
        List<PromptCompletion> item = List.of(new PromptCompletion(liked.promptIds(), liked.completionIds()));
        return scorer.score(item, adapter, 1).get(0).logprob() - scorer.score(item, null, 1).get(0).logprob();
    }

    @Test
    void stalenessIsCountedInVersions() {
        OnlineRecipe recipe = new OnlineRecipe(1, 0, 0, 0, 1, 2);
        assertTrue(recipe.fresh(5, 7));
        assertFalse(recipe.fresh(4, 7));
        assertTrue(OnlineRecipe.defaults().fresh(0, 1_000), "the default keeps every pair");
        assertThrows(IllegalArgumentException.class, () -> new OnlineRecipe(0, 0, 0, 0, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> new OnlineRecipe(1, 0, 3, 0, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> new OnlineRecipe(1, 0, 0, 1, 0, -1));
    }
}
