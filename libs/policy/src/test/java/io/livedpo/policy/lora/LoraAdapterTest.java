package io.livedpo.policy.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.livedpo.policy.nd.NoGrad;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.io.Safetensors;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.policy.score.LogProbs;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.score.TokenBatch;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoraAdapterTest {

    private static NDManager manager;
    private static Gpt2Model base;
    private static List<JsonNode> cases;
    private static List<PromptCompletion> items;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        base = Gpt2Model.load(Fixtures.TINY, manager);
        cases = Fixtures.list(Fixtures.expected(Fixtures.TINY_LORA).get("cases"));
        items = cases.stream().map(c -> new PromptCompletion(Fixtures.longs(c.get("prompt_ids")),
                Fixtures.longs(c.get("completion_ids")))).toList();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void freshAdapterReproducesTheBaseExactly() {
        try (LoraAdapter fresh = LoraAdapter.create(base, LoraConfig.defaults(), 1L, manager)) {
            Scorer scorer = new Scorer(base);
            List<ScoredCompletion> withBase = scorer.score(items, null, 3);
            List<ScoredCompletion> withAdapter = scorer.score(items, fresh, 3);
            for (int i = 0; i < items.size(); i++) {
                assertArrayEquals(withBase.get(i).tokenLogprobs(), withAdapter.get(i).tokenLogprobs(), 1e-6f);
            }
            assertEquals(2 * 4 * base.config().layers(), fresh.parameters().size());
            assertTrue(fresh.parameters().stream().allMatch(NDArray::hasGradient));
        }
    }

    @Test
    void peftAdapterMatchesTheReferenceAndTheBaseStaysTheReference() throws IOException {
        try (NDManager m = manager.newSubManager();
             LoraAdapter adapter = peftFixture(m)) {
            Scorer scorer = new Scorer(base);
            List<ScoredCompletion> tuned = scorer.score(items, adapter, items.size());
            for (int i = 0; i < items.size(); i++) {
                double[] want = Fixtures.doubles(cases.get(i).get("token_logprobs"));
                for (int j = 0; j < want.length; j++) {
                    assertEquals(want[j], tuned.get(i).tokenLogprobs()[j], 1e-4, "case " + i + " token " + j);
                }
            }
            // Adapter off again: the same model object is the untouched reference.
            JsonNode baseCase = Fixtures.expected(Fixtures.TINY).get("cases").get(0);
            float[] reference = scorer.score(items.subList(0, 1), null, 1).get(0).tokenLogprobs();
            assertEquals(baseCase.get("token_logprobs").get(0).asDouble(), reference[0], 1e-4);
        }
    }

    @Test
    void mergedWeightsGiveTheSameLogProbsAsTheAdapter() throws IOException {
        try (NDManager m = manager.newSubManager(); LoraAdapter adapter = peftFixture(m)) {
            Map<String, NDArray> merged = new java.util.LinkedHashMap<>();
            Map<String, NDArray> folded = adapter.mergedWeights(base, m);
            base.weights().forEach((name, w) -> merged.put(name, folded.getOrDefault(name, w.duplicate())));
            try (Gpt2Model mergedModel = Gpt2Model.of(base.config(), merged, m)) {
                List<ScoredCompletion> viaAdapter = new Scorer(base).score(items, adapter, 2);
                List<ScoredCompletion> viaMerge = new Scorer(mergedModel).score(items, null, 2);
                for (int i = 0; i < items.size(); i++) {
                    assertArrayEquals(viaAdapter.get(i).tokenLogprobs(), viaMerge.get(i).tokenLogprobs(), 2e-4f);
                }
            }
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() throws IOException {
        try (NDManager m = manager.newSubManager(); LoraAdapter adapter = peftFixture(m)) {
            List<PromptCompletion> batch = items.subList(0, 2);
            NDArray b = adapter.parameters().get(1); // lora_B of h.0.attn.c_attn, [out, r]
            NDArray a = adapter.parameters().get(6); // lora_A of h.0.mlp.c_proj
            float[] gradB;
            float[] gradA;
            try (NDScope scope = new NDScope(); GradientCollector gc = manager.getEngine().newGradientCollector()) {
                NDArray objective = logProb(batch, adapter).sum();
                gc.backward(objective);
                gradB = b.getGradient().toFloatArray();
                gradA = a.getGradient().toFloatArray();
            }
            for (int[] probe : new int[][] {{0, 5}, {0, 77}, {1, 3}, {1, 40}}) {
                NDArray p = probe[0] == 0 ? b : a;
                float analytic = (probe[0] == 0 ? gradB : gradA)[probe[1]];
                double numeric = finiteDifference(batch, adapter, p, probe[1], 1e-2f);
                assertEquals(numeric, analytic, 0.02 * Math.max(1.0, Math.abs(numeric)),
                        "d logp / d param[" + probe[1] + "]");
            }
            assertFalse(java.util.Arrays.equals(gradB, new float[gradB.length]), "gradient is all zero");
        }
    }

    @Test
    void shapeMismatchAndUnknownTargetsAreRefused() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> tensors = Safetensors.read(Fixtures.TINY_LORA.resolve("adapter_model.safetensors"), m);
            IllegalArgumentException wrongRank = assertThrows(IllegalArgumentException.class,
                    () -> LoraAdapter.fromPeft(base, new LoraConfig(8, 16f, LoraConfig.GPT2_TARGETS), tensors, m));
            assertTrue(wrongRank.getMessage().contains("shape"), wrongRank.getMessage());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> LoraAdapter.create(base, new LoraConfig(4, 8f, List.of("q_proj")), 1L, m));
            assertTrue(unknown.getMessage().contains("q_proj"), unknown.getMessage());
        }
    }

    private static LoraAdapter peftFixture(NDManager m) throws IOException {
        Map<String, NDArray> tensors = Safetensors.read(Fixtures.TINY_LORA.resolve("adapter_model.safetensors"), m);
        return LoraAdapter.fromPeft(base, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS), tensors, m);
    }

    private static NDArray logProb(List<PromptCompletion> batch, LoraAdapter adapter) {
        TokenBatch tokens = TokenBatch.of(batch, base.config().contextLength(), base.config().eosTokenId(),
                base.manager());
        return LogProbs.perSequence(LogProbs.perToken(base, tokens, adapter)); // [B]
    }

    private static double finiteDifference(List<PromptCompletion> batch, LoraAdapter adapter, NDArray param,
                                           int index, float eps) {
        float[] values = param.toFloatArray();
        float original = values[index];
        double[] f = new double[2];
        try (NoGrad off = NoGrad.enter()) {
            for (int s = 0; s < 2; s++) {
                values[index] = original + (s == 0 ? eps : -eps);
                param.set(values);
                try (NDScope scope = new NDScope()) {
                    f[s] = logProb(batch, adapter).sum().getFloat();
                }
            }
            values[index] = original;
            param.set(values);
        }
        return (f[0] - f[1]) / (2 * eps);
    }
}
