package io.livedpo.policy.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.CheckpointArchive;
import io.livedpo.policy.checkpoint.CheckpointException;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.checkpoint.OptimizerCheckpoint;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.optim.AdamWState;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run of N steps interrupted after k (adapter and optimizer state written, everything closed, read back from disk)
 * equals the same N steps straight through, on the real model math. Warm-up spans the interruption, weight decay is
 * on, so the step count, both moments and the schedule position all have to come back.
 */
class ResumeTrainingTest {

    private static final int STEPS = 6;
    private static final int INTERRUPT_AFTER = 3;
    private static final LoraConfig LORA = new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS);
    private static final TrainConfig CONFIG = new TrainConfig(new DpoConfig(DpoLossType.SIGMOID, 0.1, 0, 1.0), 1e-2f,
            5, 1.0f, AdamWConfig.defaults().withWeightDecay(0.01));

    private static PolicyModel base;
    private static List<List<PreferenceExample>> batches;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        base = PolicyModel.open(Fixtures.TINY);
        PreferenceEncoder encoder = new PreferenceEncoder(base.tokenizer(), base.model().config().bosTokenId(),
                base.model().config().eosTokenId());
        String[][] data = {
                {"User: What is 2 + 2?\nAssistant:", " 2 + 2 is 4.", " I don't care."},
                {"User: Hello, I am Ana.\nAssistant:", " Hello Ana, nice to meet you!", " Go away."},
                {"User: How do I boil an egg?\nAssistant:", " Put it in boiling water.", " Eggs are boring."},
                {"User: What is 3 + 5?\nAssistant:", " 3 + 5 is 8.", " 3 + 5 is 35."},
        };
        List<PreferenceExample> all = new ArrayList<>();
        for (int i = 0; i < data.length; i++) {
            all.add(encoder.encode("pair-" + i, data[i][0], data[i][1], data[i][2]));
        }
        // Different batches per step, so a wrong moment or step shows in the next update.
        batches = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            batches.add(List.of(all.get(s % 4), all.get((s + 1) % 4)));
        }
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Test
    void anInterruptedRunResumedFromDiskEqualsOneRunStraightThrough() throws IOException {
        Map<String, float[]> straight;
        try (LoraAdapter adapter = fresh()) {
            DpoTrainer trainer = new DpoTrainer(base.model(), adapter, CONFIG);
            batches.forEach(trainer::step);
            assertEquals(STEPS, trainer.steps());
            straight = values(adapter);
        }

        Path checkpoint = dir.resolve("v1");
        try (LoraAdapter adapter = fresh()) {
            DpoTrainer trainer = new DpoTrainer(base.model(), adapter, CONFIG);
            batches.subList(0, INTERRUPT_AFTER).forEach(trainer::step);
            AdapterCheckpoint.write(checkpoint, adapter.config(), adapter.peftTensors(), draft(),
                    trainer.optimizerState());
        }
        Map<String, float[]> resumed;
        try (LoraAdapter adapter = base.loadAdapter(checkpoint); NDManager staging = base.manager().newSubManager()) {
            DpoTrainer trainer = new DpoTrainer(base.model(), adapter, CONFIG);
            AdamWState saved = OptimizerCheckpoint.read(checkpoint, staging).orElseThrow();
            assertEquals(INTERRUPT_AFTER, saved.steps());
            trainer.restoreOptimizer(saved);
            assertEquals(INTERRUPT_AFTER, trainer.steps(), "the warm-up continues where it stopped");
            StepResult first = trainer.step(batches.get(INTERRUPT_AFTER));
            assertEquals(CONFIG.learningRate() * (INTERRUPT_AFTER + 1) / 5.0, first.metrics().get("learning_rate"),
                    1e-9, "learning rate of step " + (INTERRUPT_AFTER + 1) + " of a 5-step warm-up");
            batches.subList(INTERRUPT_AFTER + 1, STEPS).forEach(trainer::step);
            assertEquals(STEPS, trainer.steps());
            resumed = values(adapter);
        }
        assertClose(straight, resumed, 1e-6f);

        // The control: the same interruption resumed without the optimizer state (as before it was saved) differs,
        // so the comparison above can fail.
        try (LoraAdapter adapter = base.loadAdapter(checkpoint)) {
            DpoTrainer trainer = new DpoTrainer(base.model(), adapter, CONFIG);
            batches.subList(INTERRUPT_AFTER, STEPS).forEach(trainer::step);
            assertTrue(maxDifference(straight, values(adapter)) > 1e-4,
                    "a fresh optimizer after the interruption must change training");
        }
    }

    @Test
    void theOptimizerFilesAreSeparateVerifiedAndLeftOutOfWhatServingReceives() throws IOException {
        Path checkpoint = dir.resolve("v1");
        try (LoraAdapter adapter = fresh()) {
            DpoTrainer trainer = new DpoTrainer(base.model(), adapter, CONFIG);
            trainer.step(batches.get(0));
            AdapterCheckpoint.write(checkpoint, adapter.config(), adapter.peftTensors(), draft(),
                    trainer.optimizerState());
        }
        Set<String> files = new TreeSet<>();
        try (Stream<Path> list = Files.list(checkpoint)) {
            list.forEach(p -> files.add(p.getFileName().toString()));
        }
        assertEquals(Set.of("adapter_config.json", "adapter_model.safetensors", "livedpo.json",
                "optimizer.safetensors", "optimizer.json"), files);

        // What a replica receives: the PEFT files and livedpo.json only.
        Path received = dir.resolve("received");
        CheckpointArchive.unpack(new ByteArrayInputStream(
                CheckpointArchive.pack(checkpoint, OptimizerCheckpoint.TRAINING_ONLY_FILES)), received, 1 << 24);
        try (Stream<Path> list = Files.list(received)) {
            assertEquals(Set.of("adapter_config.json", "adapter_model.safetensors", "livedpo.json"),
                    list.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
        try (NDManager staging = base.manager().newSubManager()) {
            assertEquals(Optional.empty(), OptimizerCheckpoint.read(received, staging));
        }

        // A flipped byte in the moments is refused, not resumed from.
        Path corrupt = dir.resolve("corrupt");
        copy(checkpoint, corrupt);
        byte[] state = Files.readAllBytes(corrupt.resolve(OptimizerCheckpoint.STATE_FILE));
        state[state.length - 1] ^= 1;
        Files.write(corrupt.resolve(OptimizerCheckpoint.STATE_FILE), state);
        try (NDManager staging = base.manager().newSubManager()) {
            assertThrows(CheckpointException.class, () -> OptimizerCheckpoint.read(corrupt, staging));
        }

        // Moments saved with other weights are refused: livedpo.json's sha256 binds them.
        Path other = dir.resolve("other");
        try (LoraAdapter adapter = fresh()) {
            AdapterCheckpoint.write(other, adapter.config(), adapter.peftTensors(), draft());
        }
        Files.copy(checkpoint.resolve(OptimizerCheckpoint.STATE_FILE), other.resolve(OptimizerCheckpoint.STATE_FILE));
        Files.copy(checkpoint.resolve(OptimizerCheckpoint.METADATA_FILE),
                other.resolve(OptimizerCheckpoint.METADATA_FILE));
        try (NDManager staging = base.manager().newSubManager()) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> OptimizerCheckpoint.read(other, staging));
            assertTrue(e.getMessage().contains("adapter weights"), e.getMessage());
        }
    }

    private static LoraAdapter fresh() {
        return LoraAdapter.create(base.model(), LORA, 7L, base.manager());
    }

    private static CheckpointMetadata draft() {
        return CheckpointMetadata.draft("p", 1, 0, base.fingerprint(), 0, Map.of(), Instant.EPOCH, Map.of());
    }

    private static Map<String, float[]> values(LoraAdapter adapter) {
        Map<String, float[]> out = new LinkedHashMap<>();
        adapter.peftTensors().forEach((name, array) -> out.put(name, array.toFloatArray()));
        return out;
    }

    private static void assertClose(Map<String, float[]> expected, Map<String, float[]> actual, float tolerance) {
        assertEquals(expected.keySet(), actual.keySet());
        double worst = maxDifference(expected, actual);
        assertTrue(worst <= tolerance, "largest difference " + worst);
        assertFalse(expected.values().stream().allMatch(a -> allZero(a)), "the run trained something");
    }

    private static double maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
        double worst = 0;
        for (String name : a.keySet()) {
            float[] x = a.get(name);
            float[] y = b.get(name);
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        return worst;
    }

    private static boolean allZero(float[] values) {
        for (float v : values) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> list = Files.list(from)) {
            for (Path p : list.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}
