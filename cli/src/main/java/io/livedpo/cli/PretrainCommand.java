package io.livedpo.cli;

import ai.djl.ndarray.NDManager;
import io.livedpo.policy.train.LmStepResult;
import io.livedpo.policy.train.PretrainDefaults;
import io.livedpo.policy.train.PretrainRecipe;
import io.livedpo.policy.train.PretrainArchitecture;
import io.livedpo.policy.train.PretrainChat;
import io.livedpo.policy.train.Pretraining;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true,
        name = "pretrain", description = {
        "Train a byte-level BPE tokenizer and a GPT-2 from scratch on a text corpus; writes a Hugging Face model"
                + " directory (config.json, model.safetensors, tokenizer.json, tokenizer_config.json, training.json)"
                + " to --out atomically and prints a JSON summary.",
        "The corpus is UTF-8 text; documents are separated by lines holding only <|endoftext|> (a file without"
                + " such lines is one document)."})
final class PretrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", required = true, paramLabel = "F.txt")
    Path corpus;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "new model directory")
    Path out;

    @Option(names = "--vocab-size", defaultValue = PretrainDefaults.VOCAB_SIZE, paramLabel = "V", description = "BPE tokens incl. EOS")
    int vocabSize;

    @Option(names = "--layers", defaultValue = PretrainDefaults.LAYERS, paramLabel = "L")
    int layers;

    @Option(names = "--embd", defaultValue = PretrainDefaults.EMBED_DIM, paramLabel = "C")
    int embd;

    @Option(names = "--heads", defaultValue = PretrainDefaults.HEADS, paramLabel = "H")
    int heads;

    @Option(names = "--context", defaultValue = PretrainDefaults.CONTEXT_LENGTH, paramLabel = "T", description = "positions = window length")
    int context;

    @Option(names = "--batch-size", defaultValue = PretrainDefaults.BATCH_SIZE, paramLabel = "B", description = "windows per step")
    int batchSize;

    @Option(names = "--steps", defaultValue = PretrainDefaults.STEPS, paramLabel = "N", description = "optimizer steps")
    long steps;

    @Option(names = "--lr", defaultValue = PretrainDefaults.LEARNING_RATE, paramLabel = "LR", description = "peak; cosine decay to LR/10")
    float lr;

    @Option(names = "--warmup", defaultValue = PretrainDefaults.WARMUP_STEPS, paramLabel = "N", description = "warm-up steps (at most --steps)")
    long warmup;

    @Option(names = "--weight-decay", defaultValue = PretrainDefaults.WEIGHT_DECAY, paramLabel = "WD", description = "on matrices only")
    double weightDecay;

    @Option(names = "--max-grad-norm", defaultValue = PretrainDefaults.MAX_GRAD_NORM, paramLabel = "N")
    float maxGradNorm;

    @Option(names = "--seed", defaultValue = PretrainDefaults.SEED, paramLabel = "S", description = "weight init and document order")
    long seed;

    @Option(names = "--metrics", paramLabel = "F.jsonl", description = "one JSON line per optimizer step")
    Path metricsFile;

    @Override
    public Integer call() throws Exception {
        PretrainRecipe recipe = new PretrainRecipe(vocabSize, layers, embd, heads, context, batchSize, steps, lr,
                Math.min(warmup, steps), weightDecay, maxGradNorm, seed);
        if (Files.exists(out)) {
            throw new BadInputException(out + ": already exists (models are never overwritten)");
        }
        List<String> documents = CorpusFile.read(corpus);
        Map<String, Object> result = pretrain(documents, recipe, out, metricsFile);
        Json.print(spec.commandLine().getOut(), result);
        return 0;
    }

    /** Trains tokenizer and model on {@code documents}, with progress on stderr; returns the JSON summary. */
    static Map<String, Object> pretrain(List<String> documents, PretrainRecipe recipe, Path out, Path metricsFile)
            throws IOException {
        return pretrain(documents, recipe, PretrainArchitecture.GPT2, null, out, metricsFile);
    }

    /**
     * As {@link #pretrain(List, PretrainRecipe, Path, Path)}, for a model of {@code architecture} with {@code chat}'s
     * template and special tokens (null: none).
     */
    static Map<String, Object> pretrain(List<String> documents, PretrainRecipe recipe,
                                        PretrainArchitecture architecture, PretrainChat chat, Path out,
                                        Path metricsFile) throws IOException {
        System.err.printf("pretrain: %d documents, %d characters; training a %d-token BPE, then %d steps of a"
                + " %d-layer, %d-wide model%n", documents.size(), documents.stream().mapToLong(String::length).sum(),
                recipe.vocabSize(), recipe.steps(), recipe.layers(), recipe.embedDim());
        Progress progress = new Progress("pretrain", recipe.steps());
        long[] done = {0};
        Pretraining.Result r;
        try (NDManager manager = NDManager.newBaseManager();
             PrintWriter metrics = metricsFile == null ? null
                     : new PrintWriter(Files.newBufferedWriter(metricsFile, StandardCharsets.UTF_8))) {
            r = Pretraining.run(documents, recipe, architecture, chat, out, manager, step -> {
                done[0]++;
                if (metrics != null) {
                    Json.print(metrics, metricsRow(done[0], step));
                }
                if (!step.applied()) {
                    System.err.println("skipped batch at step " + done[0] + " (" + step.skipReason() + ")");
                }
                progress.update(done[0], String.format("loss %.4f", step.loss()));
            });
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("out", out.toString());
        result.put("vocab_size", r.config().vocabSize());
        result.put("parameters", r.config().parameterCount());
        result.put("size_bytes", Files.size(out.resolve("model.safetensors")));
        result.put("documents", r.documents());
        result.put("corpus_tokens", r.corpusTokens());
        result.put("steps", r.steps());
        result.put("skipped_batches", r.skippedBatches());
        result.put("tokens_trained", r.tokensTrained());
        result.put("final_loss", Double.isFinite(r.finalLoss()) ? r.finalLoss() : null);
        result.put("tokenizer_seconds", r.tokenizerSeconds());
        result.put("train_seconds", r.trainSeconds());
        result.put("tokens_per_second", r.tokensPerSecond());
        return result;
    }

    private static Map<String, Object> metricsRow(long step, LmStepResult r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", step);
        r.metrics().forEach((k, v) -> row.put(k, Double.isFinite(v) ? v : null)); // JSON has no NaN
        row.put("tokens", r.tokens());
        if (!r.applied()) {
            row.put("skipped", r.skipReason());
        }
        return row;
    }
}
