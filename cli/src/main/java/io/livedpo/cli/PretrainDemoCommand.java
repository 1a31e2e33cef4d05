package io.livedpo.cli;

import io.livedpo.policy.tokenizer.ChatFormat;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.tokenizer.ChatTemplate;
import io.livedpo.policy.train.PretrainArchitecture;
import io.livedpo.policy.train.PretrainChat;
import io.livedpo.policy.train.PretrainRecipe;
import io.livedpo.simulator.Corpus;
import io.livedpo.simulator.Dialogue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The demo model: a tiny GPT-2 pre-trained from scratch on synthetic assistant dialogues whose answers are sampled
 * uniformly over the simulator's styles (correct or wrong, polite or rude, concise or rambling, on- or off-topic), so
 * the base model answers well and badly alike and live feedback has something to teach it.
 */
@Command(mixinStandardHelpOptions = true,
        name = "pretrain-demo", description = "Pre-train the demo model on the synthetic assistant domain"
        + " (deterministic for a seed; about 10 minutes on 2 cores) and write it as a Hugging Face directory.")
final class PretrainDemoCommand implements Callable<Integer> {

    /** The demo recipe: 4 layers, width 128, 128 positions, a 1,024-token BPE; ~1 M weights, ~4 MB. */
    static final PretrainRecipe RECIPE = new PretrainRecipe(1024, 4, 128, 4, 128, 16, 1500, 2e-3f, 100, 0.1, 1.0f, 0L);
    /**
     * The Llama demo: GPT-2's shape (2 key/value heads for 4 query heads), 800 steps of 16 × 128 tokens (~1.6 M
     * tokens, about 0.6 epoch), sized to pre-train in about 15 minutes on the shared 2-core build machine.
     */
    static final PretrainRecipe LLAMA_RECIPE =
            new PretrainRecipe(1024, 4, 128, 4, 128, 16, 800, 2e-3f, 80, 0.1, 1.0f, 0L);
    static final int DIALOGUES = 60_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "new model directory")
    Path out;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "corpus, weights and order")
    long seed;

    @Option(names = "--steps", paramLabel = "N", description = "optimizer steps (default 1500; llama 800)")
    Long steps;

    @Option(names = "--dialogues", paramLabel = "N", description = "corpus size (default " + DIALOGUES + ")")
    Integer dialogues;

    @Option(names = "--metrics", paramLabel = "F.jsonl", description = "one JSON line per optimizer step")
    Path metricsFile;

    @Option(names = "--arch", defaultValue = "gpt2", paramLabel = "gpt2|llama",
            description = "model family: gpt2 (default, plain template) or llama (RMSNorm, rotary, SwiGLU,"
                    + " grouped-query attention; a ChatML chat template with <|im_start|>/<|im_end|>)")
    String arch;

    @Override
    public Integer call() throws Exception {
        PretrainArchitecture architecture = switch (arch) {
            case "gpt2" -> PretrainArchitecture.GPT2;
            case "llama" -> PretrainArchitecture.LLAMA;
            default -> throw new BadInputException("unknown --arch '" + arch + "' (gpt2, llama)");
        };
        // GPT-2 keeps the plain template it always had; the Llama demo is a chat model as Llama-family models are.
        PretrainChat chat = architecture == PretrainArchitecture.LLAMA ? PretrainChat.CHATML : null;
        if (Files.exists(out)) {
            throw new BadInputException(out + ": already exists (models are never overwritten)");
        }
        // One PyTorch thread: float sums then run in one order, so the same seed gives the same weights on any
        // machine (and a busy machine does not stall a thread pool); it costs about half the speed of two cores.
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        PretrainRecipe r = chat == null ? RECIPE : LLAMA_RECIPE;
        long n = steps != null ? steps : r.steps();
        PretrainRecipe recipe = new PretrainRecipe(r.vocabSize(), r.layers(), r.embedDim(), r.heads(),
                r.contextLength(), r.batchSize(), n, r.learningRate(), Math.min(r.warmupSteps(), n), r.weightDecay(),
                r.maxGradNorm(), seed);
        ChatFormat format = chat == null ? ChatTemplate.PLAIN : chat.format();
        List<String> documents = corpus(format, seed, dialogues != null ? dialogues : DIALOGUES);
        Map<String, Object> result = PretrainCommand.pretrain(documents, recipe, architecture, chat, out,
                metricsFile);
        result.put("seed", seed);
        result.put("arch", arch);
        Json.print(spec.commandLine().getOut(), result);
        return 0;
    }

    /** Each dialogue as the chat template renders it: the prompt, then the answer as its completion. */
    static List<String> corpus(ChatFormat format, long seed, int count) {
        return Corpus.dialogues(seed, count).stream().map(d -> render(format, d)).toList();
    }

    static String render(ChatFormat format, Dialogue d) {
        List<ChatMessage> ask = List.of(new ChatMessage("user", d.prompt().userText()));
        return format.prompt(ask) + format.completion(ask, d.answer());
    }
}
