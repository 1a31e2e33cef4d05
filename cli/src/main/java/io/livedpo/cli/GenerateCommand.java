package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.generate.DecodeEngine;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.lora.LoraAdapter;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true,
        name = "generate", description = "Continue a prompt: {\"text\",\"ids\",\"finish_reason\"}.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions models;

    @Option(names = "--prompt", required = true, paramLabel = "T", description = "raw prompt text (no template)")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "64", paramLabel = "N")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "0 = greedy")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "0 = no limit")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P")
    float topP;

    @Option(names = "--seed", paramLabel = "S", description = "same seed, same text; random when absent")
    Long seed;

    @Option(names = "--stop", paramLabel = "S", description = "stop string (repeatable); not included in the text")
    List<String> stop = List.of();

    @Option(names = "--engine", defaultValue = "java", paramLabel = "E", description = "java (a Vector API forward, the"
            + " GPT-2 family; other families use torch) or torch (PyTorch), as serving's livedpo.serving.batching.engine")
    String engine;

    @Option(names = "--repeat", defaultValue = "0", paramLabel = "N", description = "time it: after one warm-up run,"
            + " N timed runs (each must give the same ids); adds the median seconds, tokens_per_second and cpu_seconds")
    int repeat;

    @Override
    public Integer call() throws Exception {
        SamplingParams params = new SamplingParams(temperature, topK, topP, maxTokens,
                seed != null ? seed : new SecureRandom().nextLong(), stop);
        if (repeat < 0) {
            throw new BadInputException("--repeat must be >= 0");
        }
        DecodeEngine chosen;
        try {
            chosen = DecodeEngine.parse(engine);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        try (PolicyModel base = models.open()) {
            long[] ids = base.tokenizer().encode(prompt);
            LoraAdapter adapter = models.adapter(base);
            DecodeEngine used = chosen.forModel(base.model());
            Supplier<Generation> run;
            if (used == DecodeEngine.JAVA) {
                run = () -> used.decodeAlone(base, ids, params, adapter);
            } else {
                Generator generator = new Generator(base.model(), base.tokenizer());
                run = () -> generator.generate(List.of(ids), List.of(params), adapter).get(0);
            }
            Generation g = run.get();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("text", g.text());
            row.put("ids", g.ids());
            row.put("finish_reason", g.finishReason());
            row.put("engine", used.toString());
            if (repeat > 0) {
                // The first run above is the warm-up (allocator, first touch of the weights); prompt and decode are
                // timed together, as load-tests/jlama-side-by-side.sh times the peer engine.
                double[] seconds = new double[repeat];
                long cpuStart = Timing.processCpuNanos();
                for (int i = 0; i < repeat; i++) {
                    long start = System.nanoTime();
                    Generation again = run.get();
                    seconds[i] = (System.nanoTime() - start) / 1e9;
                    if (!Arrays.equals(again.ids(), g.ids())) {
                        throw new IllegalStateException("the same seed gave different ids on repetition " + i);
                    }
                }
                double median = Timing.median(seconds);
                row.put("prompt_tokens", ids.length);
                row.put("seconds", median);
                row.put("cpu_seconds", (Timing.processCpuNanos() - cpuStart) / 1e9 / repeat);
                row.put("tokens_per_second", g.ids().length / median);
            }
            Json.print(spec.commandLine().getOut(), row);
        }
        return 0;
    }
}
