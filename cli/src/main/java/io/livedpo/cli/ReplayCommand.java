package io.livedpo.cli;

import io.livedpo.events.EventJson;
import io.livedpo.events.PreferencePair;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.OnlineDpo;
import io.livedpo.policy.train.OnlineRecipe;
import io.livedpo.policy.train.PreferenceEncoder;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.policy.train.StepResult;
import io.livedpo.simulator.Prompt;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The recipe study's offline harness: a recorded pair stream (the pairs topic of a real run, as {@code livedpo up}
 * exports it) replayed in its order through the trainer's recipe ({@link OnlineDpo}, the code the trainer service
 * runs), with the policy evaluated every N pairs. Every recipe sees the same votes, so recipes compare without
 * re-running users; the pairs' answers came from the recorded run's policy, not the replayed one (off-policy).
 */
@Command(mixinStandardHelpOptions = true, name = "replay",
        description = "Replay a recorded pairs topic through a DPO recipe and evaluate the policy every N pairs: the"
                + " simulated users' expected thumbs-up rate on fresh prompts and KL over the policy's own samples"
                + " (one JSON line per evaluation).")
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR")
    Path model;

    @Option(names = "--pairs", required = true, paramLabel = "F.jsonl",
            description = "PreferencePair JSON lines in topic order (<data-dir>/export/livedpo.pairs.v1.jsonl)")
    Path pairsFile;

    @Option(names = "--policy", defaultValue = "default", description = "replay this policy's pairs")
    String policy;

    @Option(names = "--label", defaultValue = "", description = "copied into every line, to tell sweeps apart")
    String label;

    @Mixin
    RecipeOptions recipe;

    @Option(names = "--max-pairs", defaultValue = "2000", paramLabel = "N")
    int maxPairs;

    @Option(names = "--eval-every", defaultValue = "250", paramLabel = "PAIRS")
    int evalEvery;

    @Option(names = "--eval", defaultValue = "300", paramLabel = "N", description = "fresh prompts per evaluation")
    int eval;

    @Option(names = "--seed", defaultValue = "7", paramLabel = "S")
    long seed;

    /** Pairs longer than the model's context, skipped as the trainer dead-letters them. */
    private int tooLong;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<PreferencePair> recorded = read();
        if (recorded.isEmpty()) {
            throw new BadInputException(pairsFile + ": no pairs of policy '" + policy + "'");
        }
        OnlineRecipe online = recipe.online();
        try (PolicyModel base = PolicyModel.open(ModelOptions.existingDir(model))) {
            OfflineSimulation sim = new OfflineSimulation(base, seed);
            List<Prompt> fresh = OfflineSimulation.evaluationPrompts(seed, eval);
            PreferenceEncoder encoder = new PreferenceEncoder(base.tokenizer(), base.model().config().bosTokenId(),
                    base.model().config().eosTokenId());
            long start = System.nanoTime();
            try (LoraAdapter adapter = LoraAdapter.create(base.model(), recipe.lora(base.model()), policy.hashCode(),
                    base.manager())) {
                OnlineDpo trainer = new OnlineDpo(new DpoTrainer(base.model(), adapter, recipe.train()), online,
                        policy.hashCode());
                print(out, 0, 0, 0, sim.evaluate(fresh, null, seed + 17), start);
                List<PreferenceExample> batch = new ArrayList<>();
                long newestVersion = 0;
                int trained = 0;
                int stale = 0;
                int nextEval = evalEvery;
                int evaluatedAt = 0;
                for (PreferencePair p : recorded) {
                    if (trained >= maxPairs) {
                        break;
                    }
                    newestVersion = Math.max(newestVersion, Math.max(p.chosenModelVersion(),
                            p.rejectedModelVersion()));
                    if (!online.fresh(Math.min(p.chosenModelVersion(), p.rejectedModelVersion()), newestVersion)) {
                        stale++;
                        continue;
                    }
                    List<ChatMessage> conversation = p.prompt().stream()
                            .map(m -> new ChatMessage(m.role(), m.content())).toList();
                    PreferenceExample example = encoder.encode(p.pairId(), base.tokenizer().chat(), conversation,
                            p.chosen(), p.rejected());
                    if (example.promptIds().length + Math.max(example.chosenIds().length,
                            example.rejectedIds().length) > base.model().config().contextLength()) {
                        tooLong++; // the trainer dead-letters these as too_long
                        continue;
                    }
                    batch.add(example);
                    if (batch.size() == recipe.batchSize) {
                        StepResult r = trainer.train(batch);
                        trained += r.applied() ? batch.size() : 0;
                        batch.clear();
                        if (trained >= nextEval) {
                            print(out, trained, trainer.trainer().steps(), stale,
                                    sim.evaluate(fresh, adapter, seed + 17), start);
                            evaluatedAt = trained;
                            while (nextEval <= trained) {
                                nextEval += evalEvery;
                            }
                        }
                    }
                }
                if (trained > evaluatedAt) { // the end, unless it was just evaluated
                    print(out, trained, trainer.trainer().steps(), stale, sim.evaluate(fresh, adapter, seed + 17),
                            start);
                }
            }
        }
        return 0;
    }

    private List<PreferencePair> read() throws java.io.IOException {
        List<PreferencePair> out = new ArrayList<>();
        Json.readLines(pairsFile, (line, node) -> {
            PreferencePair p = EventJson.MAPPER.treeToValue(node, PreferencePair.class);
            if (p.policy().equals(policy)) {
                out.add(p);
            }
        });
        return out;
    }

    private void print(PrintWriter out, int pairs, long steps, int stale, OfflineSimulation.Evaluation e,
                       long start) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", label);
        row.putAll(recipe.describe());
        row.put("pairs", pairs);
        row.put("steps", steps);
        row.put("stale_dropped", stale);
        row.put("too_long_dropped", tooLong);
        row.putAll(e.fields());
        row.put("seconds", (System.nanoTime() - start) / 1e9);
        Json.print(out, row);
    }
}
