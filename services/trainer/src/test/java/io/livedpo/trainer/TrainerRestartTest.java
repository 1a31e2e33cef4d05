package io.livedpo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.events.PreferencePair;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointArchive;
import io.livedpo.policy.checkpoint.OptimizerCheckpoint;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.optim.AdamWState;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.KlGuard;
import io.livedpo.trainer.service.KlSettings;
import io.livedpo.trainer.service.Partition;
import io.livedpo.trainer.service.TrainerMetrics;
import io.livedpo.trainer.service.TrainingSession;
import io.livedpo.trainer.service.TrainingSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer restarted from its newest checkpoint resumes the optimizer saved with it: after a restart, the next
 * checkpoint is the one an uninterrupted trainer writes for the same pairs.
 */
class TrainerRestartTest {

    private static final String POLICY = "resume";
    private static final Partition PARTITION = new Partition("pairs", 0);

    private static PolicyModel base;

    @TempDir
    Path restartedStore;
    @TempDir
    Path straightStore;

    @BeforeAll
    static void open() throws IOException {
        base = PolicyModel.open(Path.of("../../libs/policy/src/test/resources/fixtures/tiny-gpt2"));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Test
    void aRestartedTrainerResumesWithTheSavedOptimizerState() throws IOException {
        List<PreferencePair> pairs = Pairs.pairs(POLICY, 0, 12);
        try (TrainingSession first = session(restartedStore)) {
            offer(first, pairs, 0, 8);
            assertEquals(1, first.checkpoint().size());
        }
        CheckpointStore restarted = new CheckpointStore(restartedStore);
        assertEquals(2, optimizerSteps(restarted, 1), "v1 saved AdamW after its two steps");
        try (TrainingSession second = session(restartedStore)) {
            offer(second, pairs, 8, 12);
            assertEquals(1, second.checkpoint().size());
        }
        assertEquals(3, optimizerSteps(restarted, 2), "v2 continued the step count instead of starting over");

        try (TrainingSession straight = session(straightStore)) {
            offer(straight, pairs, 0, 12);
            assertEquals(1, straight.checkpoint().size());
        }
        CheckpointStore uninterrupted = new CheckpointStore(straightStore);
        try (NDManager m = base.manager().newSubManager()) {
            AdamWState resumed = restarted.optimizer(POLICY, 2, m).orElseThrow();
            AdamWState expected = uninterrupted.optimizer(POLICY, 1, m).orElseThrow();
            assertEquals(expected.steps(), resumed.steps());
            for (String name : expected.firstMoments().keySet()) {
                assertTrue(expected.firstMoments().get(name).allClose(resumed.firstMoments().get(name), 1e-5, 1e-7,
                        false), "exp_avg of " + name);
                assertTrue(expected.secondMoments().get(name).allClose(resumed.secondMoments().get(name), 1e-5, 1e-9,
                        false), "exp_avg_sq of " + name);
            }
            var resumedWeights = base.loadAdapter(restarted.dir(POLICY, 2));
            var expectedWeights = base.loadAdapter(uninterrupted.dir(POLICY, 1));
            try (resumedWeights; expectedWeights) {
                var r = resumedWeights.peftTensors();
                expectedWeights.peftTensors().forEach((name, w) -> assertTrue(w.allClose(r.get(name), 1e-5, 1e-6,
                        false), "weights of " + name));
            }
        }
    }

    @Test
    void whatServingReceivesLeavesTheOptimizerStateOut(@TempDir Path received) throws IOException {
        try (TrainingSession session = session(restartedStore)) {
            offer(session, Pairs.pairs(POLICY, 0, 4), 0, 4);
            session.checkpoint();
        }
        CheckpointStore store = new CheckpointStore(restartedStore);
        assertTrue(Files.isRegularFile(store.dir(POLICY, 1).resolve(OptimizerCheckpoint.STATE_FILE)));
        Path target = received.resolve("v1");
        CheckpointArchive.unpack(new ByteArrayInputStream(store.pack(POLICY, 1).bytes()), target, 1 << 24);
        try (Stream<Path> files = Files.list(target)) {
            assertEquals(Set.of("adapter_config.json", "adapter_model.safetensors", "livedpo.json"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    private static TrainingSession session(Path store) {
        // Warm-up of 5 steps spans the restart, so a restarted schedule would show in the weights.
        TrainingSettings settings = new TrainingSettings(4, Duration.ofHours(1), 100, Duration.ofHours(1), 100, 1000,
                new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS),
                new TrainConfig(DpoConfig.defaults(), 1e-2f, 5, 1f, AdamWConfig.defaults()));
        return new TrainingSession(base, new CheckpointStore(store), settings,
                new KlGuard(base, new KlSettings(1e9, List.of("Hello!"), 4, true)), (c, kl) -> { },
                new TrainerMetrics(new SimpleMeterRegistry()));
    }

    private static void offer(TrainingSession session, List<PreferencePair> pairs, int from, int to)
            throws IOException {
        for (int i = from; i < to; i++) {
            assertEquals(TrainingSession.Offer.ACCEPTED, session.offer(pairs.get(i), PARTITION, i));
        }
    }

    private static long optimizerSteps(CheckpointStore store, long version) throws IOException {
        Path file = store.dir(POLICY, version).resolve(OptimizerCheckpoint.METADATA_FILE);
        assertTrue(Files.isRegularFile(file), file + " written");
        return new ObjectMapper().readTree(file.toFile()).get("steps").asLong();
    }
}
