package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.livedpo.common.Sha256;
import java.io.IOException;
import java.nio.file.Path;
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

    private static String run(Path out, long seed) throws IOException {
        CliRun r = CliRun.of("pretrain-demo", "--out", out.toString(), "--seed", String.valueOf(seed),
                "--steps", "3", "--dialogues", "400");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(seed, r.json().get(0).get("seed").asLong());
        return Sha256.hex(out.resolve("model.safetensors")) + Sha256.hex(out.resolve("tokenizer.json"));
    }
}
