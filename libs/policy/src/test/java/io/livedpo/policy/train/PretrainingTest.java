package io.livedpo.policy.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainingTest {

    private static final PretrainRecipe RECIPE = new PretrainRecipe(300, 1, 32, 2, 32, 4, 60, 1e-2f, 5, 0.1, 1.0f, 5L);

    private static List<String> corpus() {
        String[] names = {"Ana", "Bo", "Chen", "Dara"};
        String[] foods = {"apples", "bread", "soup", "rice"};
        SplittableRandom rng = new SplittableRandom(1);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String name = names[rng.nextInt(names.length)];
            docs.add("User: What does " + name + " like?\nAssistant: " + name + " likes "
                    + foods[rng.nextInt(foods.length)] + ".");
        }
        docs.add("   "); // blank documents are dropped
        return docs;
    }

    @Test
    void writesALoadableHuggingFaceDirectoryAndLearns(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("model");
        List<Long> stepsSeen = new ArrayList<>();
        Pretraining.Result r;
        try (NDManager manager = NDManager.newBaseManager()) {
            r = Pretraining.run(corpus(), RECIPE, out, manager, s -> stepsSeen.add(s.step()));
        }
        assertEquals(60, stepsSeen.size());
        assertEquals(60, r.steps());
        assertEquals(0, r.skippedBatches());
        assertEquals(60, r.documents());
        assertEquals(60L * 4 * 32, r.tokensTrained());
        assertTrue(r.finalLoss() < 0.5 * Math.log(r.config().vocabSize()), "final loss " + r.finalLoss());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                    "training.json"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        JsonNode training = new ObjectMapper().readTree(out.resolve("training.json").toFile());
        assertEquals(r.finalLoss(), training.get("final_loss").asDouble(), 1e-12);
        assertEquals(60, training.get("recipe").get("steps").asInt());
        assertEquals(r.config().parameterCount(), training.get("parameters").asLong());

        try (NDManager manager = NDManager.newBaseManager(); Gpt2Model model = Gpt2Model.load(out, manager);
             TextTokenizer tokenizer = TextTokenizer.load(out)) {
            assertEquals(r.config(), model.config());
            assertEquals(model.config().vocabSize() - 1, model.config().eosTokenId());
            assertArrayEquals(new long[] {model.config().eosTokenId()}, tokenizer.encode("<|endoftext|>"));
            String text = "User: What does Ana like?\nAssistant:";
            assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
        }
    }

    @Test
    void sameCorpusAndRecipeGiveIdenticalFiles(@TempDir Path tmp) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Pretraining.run(corpus(), RECIPE, tmp.resolve("a"), manager, null);
            Pretraining.run(corpus(), RECIPE, tmp.resolve("b"), manager, null);
        }
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "training.json")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)),
                    Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
        }
    }

    @Test
    void refusesAnExistingDirectoryAndAnEmptyCorpus(@TempDir Path tmp) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThrows(FileAlreadyExistsException.class,
                    () -> Pretraining.run(corpus(), RECIPE, tmp, manager, null));
            Path out = tmp.resolve("empty");
            assertThrows(IllegalArgumentException.class,
                    () -> Pretraining.run(List.of(" ", ""), RECIPE, out, manager, null));
            assertFalse(Files.exists(out));
        }
    }
}
