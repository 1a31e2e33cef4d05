package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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

    @Override
    public Integer call() throws Exception {
        SamplingParams params = new SamplingParams(temperature, topK, topP, maxTokens,
                seed != null ? seed : new SecureRandom().nextLong(), stop);
        try (PolicyModel base = models.open()) {
            Generation g = new Generator(base.model(), base.tokenizer())
                    .generate(List.of(base.tokenizer().encode(prompt)), List.of(params), models.adapter(base))
                    .get(0);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("text", g.text());
            row.put("ids", g.ids());
            row.put("finish_reason", g.finishReason());
            Json.print(spec.commandLine().getOut(), row);
        }
        return 0;
    }
}
