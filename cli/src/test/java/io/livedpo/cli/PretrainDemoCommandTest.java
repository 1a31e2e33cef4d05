package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livedpo.common.Sha256;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.model.LlamaConfig;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pretrain-demo is deterministic for a seed, and its defaults are what made the committed demo model: the same corpus,
 * the same tokenizer byte for byte, the same recipe. The committed weights themselves take the full 1,500 steps (about
 * 10 minutes on two cores) to remake: {@code bin/livedpo pretrain-demo --out DIR --seed 1} and compare
 * {@code model.safetensors} with the sha256 in models/demo/README.md ({@code DemoModelTest} pins the committed file to
 * it).
 */
class PretrainDemoCommandTest {

    private static final Path DEMO = Path.of("../models/demo");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDefaultsRemakeTheCommittedTokenizerCorpusAndRecipe(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("demo");
        CliRun r = CliRun.of("pretrain-demo", "--out", out.toString(), "--seed", "1", "--steps", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(Sha256.hex(DEMO.resolve("tokenizer.json")), Sha256.hex(out.resolve("tokenizer.json")),
                "the tokenizer trained on the default corpus is the committed one");
        JsonNode committed = JSON.readTree(DEMO.resolve("training.json").toFile());
        JsonNode made = JSON.readTree(out.resolve("training.json").toFile());
        for (String field : List.of("documents", "corpus_tokens", "parameters", "vocab_size")) {
            assertEquals(committed.get(field), made.get(field), field);
        }
        ObjectNode recipe = committed.get("recipe").deepCopy();
        recipe.put("steps", 1);
        recipe.put("warmup_steps", 1); // the warm-up is capped at the run's length
        assertEquals(recipe, made.get("recipe"), "the recipe of the committed model, but for --steps");
        assertEquals(Files.readString(DEMO.resolve("config.json")), Files.readString(out.resolve("config.json")));
    }

    @Test
    void sameSeedSameModelOtherSeedOtherModel(@TempDir Path tmp) throws IOException {
        String a = run(tmp.resolve("a"), 1);
        assertEquals(a, run(tmp.resolve("b"), 1));
        assertNotEquals(a, run(tmp.resolve("c"), 2));
    }

    @Test
    void llamaArchitectureMakesALlamaModelThatLoadsAndScores(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("llama");
        CliRun r = CliRun.of("pretrain-demo", "--out", out.toString(), "--arch", "llama", "--steps", "3",
                "--dialogues", "400");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("llama", r.json().get(0).get("arch").asText());
        try (PolicyModel model = PolicyModel.open(out)) {
            LlamaConfig config = assertInstanceOf(LlamaConfig.class, model.model().config());
            assertEquals(2, config.kvHeads(), "grouped-query attention: 4 query heads share 2 key/value heads");
            TextTokenizer tokenizer = model.tokenizer();
            long imStart = tokenizer.config().addedTokens().get("<|im_start|>");
            long imEnd = tokenizer.config().addedTokens().get("<|im_end|>");
            long endOfText = tokenizer.config().addedTokens().get("<|endoftext|>");
            long v = config.vocabSize();
            assertEquals(List.of(v - 3, v - 2, v - 1), List.of(endOfText, imStart, imEnd), "Qwen2's order, last");
            assertEquals(imEnd, config.eosTokenId());
            assertEquals(Set.of(imEnd, endOfText), tokenizer.stopIds(), "generation_config's list and end of turn");
            assertFalse(tokenizer.config().addBos());

            List<ChatMessage> ask = List.of(new ChatMessage("user", "Hello!"));
            String prompt = tokenizer.chat().prompt(ask);
            assertEquals("<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n", prompt);
            assertEquals("Hi<|im_end|>", tokenizer.chat().completion(ask, "Hi"));
            long[] promptIds = tokenizer.encode(prompt);
            assertEquals(imStart, promptIds[0]);
            ScoredCompletion s = new Scorer(model.model()).score(List.of(new PromptCompletion(promptIds,
                    tokenizer.encode(tokenizer.chat().completion(ask, "Hi")))), null, 1).get(0);
            assertTrue(Double.isFinite(s.logprob()) && s.logprob() < 0, "log-prob " + s.logprob());
            assertEquals(imEnd, s.completionIds()[s.completionIds().length - 1]);
        }
        JsonNode training = new ObjectMapper().readTree(out.resolve("training.json").toFile());
        assertEquals("[\"<|im_start|>\",\"<|im_end|>\"]", training.get("special_tokens").toString());
    }

    @Test
    void unknownArchitectureIsRefused(@TempDir Path tmp) {
        CliRun r = CliRun.of("pretrain-demo", "--out", tmp.resolve("x").toString(), "--arch", "mamba");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.err().contains("unknown --arch 'mamba'"), r.err());
    }

    private static String run(Path out, long seed) throws IOException {
        CliRun r = CliRun.of("pretrain-demo", "--out", out.toString(), "--seed", String.valueOf(seed),
                "--steps", "3", "--dialogues", "400");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(seed, r.json().get(0).get("seed").asLong());
        return Sha256.hex(out.resolve("model.safetensors")) + Sha256.hex(out.resolve("tokenizer.json"));
    }
}
