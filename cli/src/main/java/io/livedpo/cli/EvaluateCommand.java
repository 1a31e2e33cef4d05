package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Any checkpoint judged as {@code simulate-offline} judges its versions: a trainer's published adapter (or the base)
 * answers fresh prompts, scored by the simulated users — overall and per task family, with how often it gets the
 * facts right — and KL over its own samples.
 */
@Command(mixinStandardHelpOptions = true, name = "evaluate",
        description = "Score the base or an adapter against the simulated users on fresh prompts: expected thumbs-up"
                + " (overall and per task family, with the share of answers that get the facts right or wrong) and"
                + " KL over its own samples; one JSON line.")
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions models;

    @Option(names = "--eval", defaultValue = "300", paramLabel = "N", description = "fresh prompts")
    int eval;

    @Option(names = "--seed", defaultValue = "7", paramLabel = "S",
            description = "the prompts and samples simulate-offline uses for the same seed")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (eval < 1) {
            throw new BadInputException("--eval must be at least 1");
        }
        // A null adapter (the base) is a resource try-with-resources skips.
        try (PolicyModel base = models.open(); LoraAdapter adapter = models.adapter(base)) {
            OfflineSimulation.Evaluation e = new OfflineSimulation(base, seed)
                    .evaluate(OfflineSimulation.evaluationPrompts(seed, eval), adapter, seed + 17);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("adapter", models.adapter == null ? null : models.adapter.toString());
            row.put("seed", seed);
            row.putAll(e.fields());
            PrintWriter out = spec.commandLine().getOut();
            Json.print(out, row);
            out.flush();
        }
        return 0;
    }
}
