package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.common.Sha256;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.model.LlamaConfig;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pretrain-demo is deterministic for a seed: the committed demo model can be made again bit for bit. */
class PretrainDemoCommandTest {

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
            long[] prompt = model.tokenizer().encode("User: Hello!\nAssistant:");
            ScoredCompletion s = new Scorer(model.model()).score(
                    List.of(new PromptCompletion(prompt, model.tokenizer().encode(" Hi"))), null, 1).get(0);
            assertTrue(Double.isFinite(s.logprob()) && s.logprob() < 0, "log-prob " + s.logprob());
        }
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
