package io.livedpo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptMessage;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.train.OnlineRecipe;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.KlGuard;
import io.livedpo.trainer.service.KlSettings;
import io.livedpo.trainer.service.Partition;
import io.livedpo.trainer.service.TrainerMetrics;
import io.livedpo.trainer.service.TrainingSession;
import io.livedpo.trainer.service.TrainingSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer runs the recipe's knobs: stale pairs are accounted for but never trained, steps per batch count, LoRA
 * adapts the configured projections only.
 */
class OnlineRecipeSessionTest {

    private static final String POLICY = "recipe";
    private static final Partition PARTITION = new Partition("pairs", 0);

    private static PolicyModel base;

    @BeforeAll
    static void open() throws IOException {
        base = PolicyModel.open(Path.of("../../libs/policy/src/test/resources/fixtures/tiny-gpt2"));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Test
    void pairsFromVersionsTooFarBehindAreDroppedAsStale(@TempDir Path store) throws IOException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TrainingSession session = session(store, new OnlineRecipe(2, 0, 0, 0, 1, 1), registry)) {
            offer(session, 0, 4, 0, TrainingSession.Offer.ACCEPTED);
            session.checkpoint(); // v1
            offer(session, 4, 8, 1, TrainingSession.Offer.ACCEPTED);
            List<CheckpointMetadata> v2 = session.checkpoint();
            assertEquals(2, v2.get(0).version());
            // The policy is at v2: answers of v1 are one version behind (kept), of v0 two (dropped).
            offer(session, 8, 10, 1, TrainingSession.Offer.ACCEPTED);
            offer(session, 10, 12, 0, TrainingSession.Offer.STALE);
            CheckpointMetadata v3 = session.checkpoint().get(0);
            assertEquals(10, v3.pairsTrained(), "stale pairs are not trained");
            assertEquals(2.0, registry.get("livedpo.trainer.pairs").tags("policy", POLICY, "outcome", "stale")
                    .counter().count());
            // Two steps per batch: batches of 4, 4 and 2 pairs made six optimizer steps.
            assertEquals(6.0, registry.get("livedpo.trainer.steps").tags("policy", POLICY).counter().count(),
                    "three batches, two optimizer steps each");
        }
    }

    @Test
    void aNewPolicyAdaptsOnlyTheConfiguredTargetsAndItsCheckpointLoadsAsThat(@TempDir Path store) throws IOException {
        try (TrainingSession session = session(store, OnlineRecipe.defaults(), List.of("attn.c_attn"),
                new SimpleMeterRegistry())) {
            offer(session, 0, 4, 0, TrainingSession.Offer.ACCEPTED);
            assertEquals(1, session.checkpoint().get(0).version());
        }
        try (LoraAdapter loaded = base.loadAdapter(new CheckpointStore(store).dir(POLICY, 1))) {
            assertEquals(List.of("attn.c_attn"), loaded.config().targetModules());
            Set<String> modules = loaded.peftTensors().keySet();
            assertFalse(modules.isEmpty());
            assertTrue(modules.stream().allMatch(k -> k.contains(".attn.c_attn.")), modules::toString);
        }
    }

    @Test
    void targetsThatMatchNoProjectionOfTheModelFailAtStartUp(@TempDir Path store) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> session(store, OnlineRecipe.defaults(), List.of("q_proj"), new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains("q_proj") && e.getMessage().contains("attn.c_attn"), e.getMessage());
    }

    private static void offer(TrainingSession session, int from, int to, long answerVersion,
                              TrainingSession.Offer expected) throws IOException {
        for (int i = from; i < to; i++) {
            assertEquals(expected, session.offer(pair(i, answerVersion), PARTITION, i));
        }
    }

    private static PreferencePair pair(int i, long version) {
        String a = "resp-" + i + "-a";
        String b = "resp-" + i + "-b";
        Instant at = Instant.now();
        return new PreferencePair(PreferencePair.SCHEMA, PreferencePair.idOf(a, b), POLICY,
                List.of(new PromptMessage("user", "What is " + i + " + 1?")), " " + (i + 1) + ".", " No idea.", a, b,
                version, version, PairSource.PAIRWISE, at, at);
    }

    private static TrainingSession session(Path store, OnlineRecipe recipe, SimpleMeterRegistry registry) {
        return session(store, recipe, LoraConfig.GPT2_TARGETS, registry);
    }

    private static TrainingSession session(Path store, OnlineRecipe recipe, List<String> targets,
                                           SimpleMeterRegistry registry) {
        TrainingSettings settings = new TrainingSettings(4, Duration.ofHours(1), 100, Duration.ofHours(1), 100, 1000,
                new LoraConfig(4, 8f, targets),
                new TrainConfig(DpoConfig.defaults(), 1e-2f, 0, 1f, AdamWConfig.defaults()), recipe);
        return new TrainingSession(base, new CheckpointStore(store), settings,
                new KlGuard(base, new KlSettings(1e9, List.of("Hello!"), 4, true)), (c, kl) -> { },
                new TrainerMetrics(registry));
    }
}
