package io.livedpo.policy.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.checkpoint.LoadedAdapter;
import io.livedpo.policy.checkpoint.ModelFingerprint;
import io.livedpo.policy.io.Safetensors;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.policy.train.StepResult;
import io.livedpo.policy.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA on the Llama family as PEFT injects it: q/k/v/o and the SwiGLU projections, nn.Linear layout. */
class LlamaLoraTest {

    /** float32 against the float64 reference. */
    private static final double TOLERANCE = 1e-4;

    private static NDManager manager;
    private static CausalLm base;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        base = CausalLm.load(Fixtures.TINY_LLAMA, manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static LoraAdapter peftFixture(NDManager m) throws IOException {
        try (NDManager staging = m.newSubManager()) {
            LoadedAdapter loaded = AdapterCheckpoint.read(Fixtures.TINY_LLAMA_LORA, staging, null);
            return LoraAdapter.fromPeft(base, loaded.config(), loaded.tensors(), m);
        }
    }

    @Test
    void peftAdapterMatchesTheReferenceAndTheBaseStaysTheReference() throws IOException {
        try (NDManager m = manager.newSubManager(); LoraAdapter adapter = peftFixture(m)) {
            assertEquals(28, adapter.parameters().size(), "A and B of 7 projections in 2 layers");
            Fixtures.assertLogProbsMatch(base, adapter, Fixtures.expected(Fixtures.TINY_LLAMA_LORA), TOLERANCE);
            Fixtures.assertLogProbsMatch(base, null, Fixtures.expected(Fixtures.TINY_LLAMA), TOLERANCE);
        }
    }

    @Test
    void mergedExportScoresAsTheAdapter(@TempDir Path tmp) throws IOException {
        try (NDManager m = manager.newSubManager(); LoraAdapter adapter = peftFixture(m)) {
            Map<String, ai.djl.ndarray.NDArray> merged = new LinkedHashMap<>(base.weights());
            merged.putAll(adapter.mergedWeights(base, m));
            base.writeFiles(tmp, merged);
            try (CausalLm exported = CausalLm.load(tmp, m)) {
                Fixtures.assertLogProbsMatch(exported, null, Fixtures.expected(Fixtures.TINY_LLAMA_LORA), TOLERANCE);
            }
        }
    }

    @Test
    void checkpointIsWrittenWithPeftNamesAndConfig(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("adapter");
        String fingerprint = ModelFingerprint.of(Fixtures.TINY_LLAMA);
        try (NDManager m = manager.newSubManager(); LoraAdapter adapter = peftFixture(m)) {
            CheckpointMetadata draft = CheckpointMetadata.draft("p", 1, 0, fingerprint, 4, Map.of(),
                    Instant.parse("2026-12-01T00:00:00Z"), Map.of());
            AdapterCheckpoint.write(dir, adapter.config(), adapter.peftTensors(), draft);
        }
        TreeSet<String> names = new TreeSet<>(Safetensors.readHeader(dir.resolve(AdapterCheckpoint.WEIGHTS_FILE))
                .tensors().keySet());
        assertEquals(28, names.size());
        assertTrue(names.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"), names.first());
        assertTrue(names.contains("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"));
        JsonNode config = new ObjectMapper().readTree(dir.resolve(AdapterCheckpoint.CONFIG_FILE).toFile());
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals("CAUSAL_LM", config.get("task_type").asText());
        assertEquals(4, config.get("r").asInt());
        assertEquals(8.0, config.get("lora_alpha").asDouble());
        assertFalse(config.get("fan_in_fan_out").asBoolean(), "nn.Linear targets are not fan_in_fan_out");
        assertEquals(fingerprint, config.get("base_model_name_or_path").asText());
        assertEquals(LoraConfig.LLAMA_TARGETS.size(), config.get("target_modules").size());
        try (NDManager m = manager.newSubManager(); NDManager staging = m.newSubManager()) {
            LoadedAdapter loaded = AdapterCheckpoint.read(dir, staging, fingerprint);
            try (LoraAdapter back = LoraAdapter.fromPeft(base, loaded.config(), loaded.tensors(), m)) {
                Fixtures.assertLogProbsMatch(base, back, Fixtures.expected(Fixtures.TINY_LLAMA_LORA), TOLERANCE);
            }
        }
    }

    @Test
    void dpoRaisesTheMarginOnTheLlamaFamily() {
        SplittableRandom rng = new SplittableRandom(5);
        List<PreferenceExample> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pairs.add(new PreferenceExample("pair-" + i, rng.longs(6, 4, 96).toArray(), rng.longs(5, 4, 96).toArray(),
                    rng.longs(4, 4, 96).toArray()));
        }
        TrainConfig config = new TrainConfig(new DpoConfig(DpoLossType.SIGMOID, 0.5, 0, 0), 1e-2f, 0, 1.0f,
                AdamWConfig.defaults());
        try (LoraAdapter adapter = LoraAdapter.create(base, new LoraConfig(4, 8f, base.defaultLoraTargets()), 3L,
                manager)) {
            DpoTrainer trainer = new DpoTrainer(base, adapter, config);
            StepResult first = trainer.step(pairs);
            assertEquals(0.0, first.metrics().get("rewards/margins"), 1e-6, "a fresh adapter is the reference");
            StepResult last = first;
            for (int i = 0; i < 20; i++) {
                last = trainer.step(pairs);
            }
            assertTrue(last.metrics().get("rewards/margins") > 0.3, "margin " + last.metrics());
            assertTrue(last.metrics().get("loss") < first.metrics().get("loss"), last.metrics().toString());
        }
    }
}
