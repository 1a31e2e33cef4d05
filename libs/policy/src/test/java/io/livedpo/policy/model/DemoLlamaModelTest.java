package io.livedpo.policy.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.common.Sha256;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The committed Llama demo model is the one models/demo-llama/README.md describes: a Llama-architecture chat model
 * with grouped-query attention whose ChatML template renders as recorded, and which scores as recorded when it was
 * made.
 */
class DemoLlamaModelTest {

    static final Path DEMO = Path.of("../../models/demo-llama");

    @Test
    void weightsTemplateAndLogProbsAreAsRecorded() throws IOException {
        JsonNode recorded = new ObjectMapper().readTree(DEMO.resolve("expected.json").toFile());
        assertEquals(recorded.get("sha256").asText(), Sha256.hex(DEMO.resolve("model.safetensors")));
        try (NDManager manager = NDManager.newBaseManager(); CausalLm model = CausalLm.load(DEMO, manager);
             TextTokenizer tokenizer = TextTokenizer.load(DEMO)) {
            LlamaConfig config = assertInstanceOf(LlamaConfig.class, model.config());
            assertEquals("llama", config.modelType());
            assertTrue(config.kvHeads() < config.heads(), "grouped-query attention");

            JsonNode chat = recorded.get("chat");
            List<ChatMessage> ask = List.of(new ChatMessage("user", chat.get("user").asText()));
            String prompt = tokenizer.chat().prompt(ask);
            assertEquals(chat.get("prompt").asText(), prompt);
            assertArrayEquals(Fixtures.longs(chat.get("prompt_ids")), tokenizer.encode(prompt));
            long imEnd = tokenizer.config().addedTokens().get("<|im_end|>");
            assertEquals(Set.of(imEnd, tokenizer.config().addedTokens().get("<|endoftext|>")), tokenizer.stopIds());

            List<JsonNode> cases = Fixtures.list(recorded.get("cases"));
            List<PromptCompletion> items = cases.stream().map(c -> new PromptCompletion(
                    tokenizer.encode(c.get("prompt").asText()), tokenizer.encode(c.get("completion").asText())))
                    .toList();
            List<ScoredCompletion> scored = new Scorer(model).score(items, null, items.size());
            for (int i = 0; i < cases.size(); i++) {
                long[] ids = scored.get(i).completionIds();
                assertArrayEquals(Fixtures.longs(cases.get(i).get("completion_ids")), ids);
                assertEquals(imEnd, ids[ids.length - 1], "a completion ends with the end-of-turn token");
                assertEquals(cases.get(i).get("logprob").asDouble(), scored.get(i).logprob(), 1e-3,
                        cases.get(i).get("completion").asText());
            }
        }
    }
}
