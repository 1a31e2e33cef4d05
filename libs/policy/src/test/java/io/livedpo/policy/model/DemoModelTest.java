package io.livedpo.policy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.policy.Fixtures;
import io.livedpo.common.Sha256;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed demo model is the one models/demo/README.md describes, and scores as recorded when it was made. */
class DemoModelTest {

    static final Path DEMO = Path.of("../../models/demo");

    @Test
    void weightsAndLogProbsAreAsRecorded() throws IOException {
        JsonNode recorded = new ObjectMapper().readTree(DEMO.resolve("expected.json").toFile());
        assertEquals(recorded.get("sha256").asText(), Sha256.hex(DEMO.resolve("model.safetensors")));
        try (NDManager manager = NDManager.newBaseManager(); Gpt2Model model = Gpt2Model.load(DEMO, manager);
             TextTokenizer tokenizer = TextTokenizer.load(DEMO)) {
            List<JsonNode> cases = Fixtures.list(recorded.get("cases"));
            List<PromptCompletion> items = cases.stream().map(c -> new PromptCompletion(
                    tokenizer.encode(c.get("prompt").asText()), tokenizer.encode(c.get("completion").asText())))
                    .toList();
            List<ScoredCompletion> scored = new Scorer(model).score(items, null, items.size());
            for (int i = 0; i < cases.size(); i++) {
                assertEquals(Fixtures.longs(cases.get(i).get("completion_ids")).length,
                        scored.get(i).completionIds().length);
                assertEquals(cases.get(i).get("logprob").asDouble(), scored.get(i).logprob(), 1e-3,
                        cases.get(i).get("completion").asText());
            }
        }
    }
}
