package io.livedpo.policy.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.policy.io.AtomicFiles;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.LmConfig;
import io.livedpo.policy.tokenizer.BpeTrainer;
import io.livedpo.policy.tokenizer.BpeVocabulary;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model from nothing but text: trains a byte-level BPE on the corpus, encodes every document (plus EOS) with it
 * through the real HF tokenizer, pre-trains a fresh model (GPT-2 or Llama) on packed windows, and publishes a Hugging
 * Face directory (config.json, model.safetensors, tokenizer.json, tokenizer_config.json, training.json; a chat model
 * also generation_config.json) atomically. The same corpus,
 * recipe and PyTorch thread count give the same files.
 */
public final class Pretraining {

    /** training.json's final_loss averages this many last applied steps: one batch's loss is noisy. */
    static final int FINAL_LOSS_STEPS = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Told about every optimizer step, e.g. to draw progress or write metrics. */
    @FunctionalInterface
    public interface StepListener {
        void onStep(LmStepResult result);
    }

    /**
     * What a run produced.
     *
     * @param dir              the published model directory
     * @param config           its shape (vocab as trained)
     * @param documents        non-empty documents trained on
     * @param corpusTokens     tokens of the encoded corpus, one EOS per document included
     * @param steps            optimizer updates applied
     * @param skippedBatches   batches skipped for a non-finite loss or gradient
     * @param finalLoss        mean loss of the last {@value #FINAL_LOSS_STEPS} applied steps (nats per token)
     * @param tokensTrained    tokens predicted in applied steps
     * @param tokenizerSeconds wall time of BPE training and corpus encoding
     * @param trainSeconds     wall time of the optimizer steps
     */
    public record Result(Path dir, LmConfig config, int documents, long corpusTokens, long steps,
                         long skippedBatches, double finalLoss, long tokensTrained, double tokenizerSeconds,
                         double trainSeconds) {

        public double tokensPerSecond() {
            return tokensTrained / trainSeconds;
        }
    }

    private Pretraining() {
    }

    /**
     * @param corpus   documents of plain text; blank ones are ignored
     * @param out      the directory to create; must not exist
     * @param listener called after each step; may be null
     */
    public static Result run(List<String> corpus, PretrainRecipe recipe, Path out, NDManager manager,
                             StepListener listener) throws IOException {
        return run(corpus, recipe, PretrainArchitecture.GPT2, out, manager, listener);
    }

    /** As {@link #run(List, PretrainRecipe, Path, NDManager, StepListener)}, for a model of {@code architecture}. */
    public static Result run(List<String> corpus, PretrainRecipe recipe, PretrainArchitecture architecture, Path out,
                             NDManager manager, StepListener listener) throws IOException {
        return run(corpus, recipe, architecture, null, out, manager, listener);
    }

    /**
     * As {@link #run(List, PretrainRecipe, PretrainArchitecture, Path, NDManager, StepListener)}, for a chat model:
     * the tokenizer gets {@code chat}'s special tokens (counted in the recipe's vocab size) and template, and the
     * directory a generation_config.json; config.json's EOS is the end-of-turn token. The corpus should already be
     * rendered with {@link PretrainChat#format()}.
     *
     * @param chat null for a model without a chat template
     */
    public static Result run(List<String> corpus, PretrainRecipe recipe, PretrainArchitecture architecture,
                             PretrainChat chat, Path out, NDManager manager, StepListener listener)
            throws IOException {
        List<String> documents = corpus.stream().filter(d -> !d.isBlank()).toList();
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("the corpus has no text");
        }
        return AtomicFiles.writeDirectory(out, dir -> {
            long start = System.nanoTime();
            BpeVocabulary vocab = BpeTrainer.train(documents, recipe.vocabSize(),
                    chat == null ? List.of() : chat.specials());
            vocab.writeFiles(dir, recipe.contextLength());
            if (chat != null) {
                chat.writeFiles(dir, vocab);
            }
            List<long[]> encoded = encode(dir, documents, vocab.eosId());
            long corpusTokens = encoded.stream().mapToLong(d -> d.length).sum();
            double tokenizerSeconds = (System.nanoTime() - start) / 1e9;

            LmConfig config = architecture.config(recipe, vocab.size(), vocab.eosId(),
                    chat == null ? vocab.eosId() : vocab.specialId(chat.endOfTurn()));
            try (CausalLm model = CausalLm.random(config, recipe.seed(), manager)) {
                CausalLmTrainer trainer = new CausalLmTrainer(model, recipe.trainerConfig());
                TokenStream stream = new TokenStream(encoded, recipe.contextLength(), recipe.seed());
                double[] recent = new double[FINAL_LOSS_STEPS];
                long tokensTrained = 0;
                long trainStart = System.nanoTime();
                for (long s = 0; s < recipe.steps(); s++) {
                    LmStepResult r = trainer.step(stream.next(recipe.batchSize()));
                    if (r.applied()) {
                        recent[(int) ((r.step() - 1) % FINAL_LOSS_STEPS)] = r.loss();
                        tokensTrained += r.tokens();
                    }
                    if (listener != null) {
                        listener.onStep(r);
                    }
                }
                double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
                int counted = (int) Math.min(FINAL_LOSS_STEPS, trainer.steps());
                double finalLoss = counted == 0 ? Double.NaN
                        : Arrays.stream(recent, 0, counted).sum() / counted;
                Result result = new Result(out, config, documents.size(), corpusTokens, trainer.steps(),
                        trainer.skippedBatches(), finalLoss, tokensTrained, tokenizerSeconds, trainSeconds);
                model.writeFiles(dir, model.weights());
                writeTrainingJson(dir, recipe, architecture, chat, result);
                return result;
            }
        });
    }

    private static List<long[]> encode(Path dir, List<String> documents, long eos) throws IOException {
        List<long[]> out = new ArrayList<>(documents.size());
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            for (String d : documents) {
                long[] ids = tokenizer.encode(d);
                long[] withEos = Arrays.copyOf(ids, ids.length + 1);
                withEos[ids.length] = eos;
                out.add(withEos);
            }
        }
        return out;
    }

    /** The recipe and outcome; no timings, so a deterministic run writes identical files. */
    private static void writeTrainingJson(Path dir, PretrainRecipe recipe, PretrainArchitecture architecture,
                                          PretrainChat chat, Result r) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", architecture.name().toLowerCase(java.util.Locale.ROOT));
        if (chat != null) {
            m.put("special_tokens", chat.specials());
        }
        m.put("recipe", recipe.asMap());
        m.put("vocab_size", r.config().vocabSize());
        m.put("parameters", r.config().parameterCount());
        m.put("documents", r.documents());
        m.put("corpus_tokens", r.corpusTokens());
        m.put("steps", r.steps());
        m.put("skipped_batches", r.skippedBatches());
        m.put("tokens_trained", r.tokensTrained());
        m.put("final_loss", Double.isFinite(r.finalLoss()) ? r.finalLoss() : null); // JSON has no NaN
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("training.json").toFile(), m);
    }
}
