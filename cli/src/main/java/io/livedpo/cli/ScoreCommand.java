package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.TextTokenizer;
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

@Command(mixinStandardHelpOptions = true,
        name = "score", description = "log p(completion | prompt) for each {\"prompt\",\"completion\"} line of a JSONL"
        + " file; prompt and completion are tokenized separately and concatenated.")
final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions models;

    @Option(names = "--input", required = true, paramLabel = "F.jsonl")
    Path input;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "sequences per forward pass")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        try (PolicyModel base = models.open()) {
            TextTokenizer tokenizer = base.tokenizer();
            long bos = base.model().config().bosTokenId();
            int context = base.model().config().contextLength();
            List<PromptCompletion> items = new ArrayList<>();
            Json.readLines(input, (line, node) -> {
                long[] prompt = tokenizer.encode(Json.text(node, "prompt"));
                PromptCompletion item = new PromptCompletion(prompt.length == 0 ? new long[] {bos} : prompt,
                        tokenizer.encode(Json.text(node, "completion")));
                if (item.length() > context) {
                    throw new BadInputException(item.length() + " tokens (prompt + completion) exceed the model's "
                            + "context of " + context);
                }
                items.add(item);
            });
            LoraAdapter adapter = models.adapter(base);
            PrintWriter out = spec.commandLine().getOut();
            for (ScoredCompletion s : new Scorer(base.model()).score(items, adapter, batchSize)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("prompt_ids", s.promptIds());
                row.put("completion_ids", s.completionIds());
                row.put("token_logprobs", s.tokenLogprobs());
                row.put("logprob", s.logprob());
                Json.print(out, row);
            }
        }
        return 0;
    }
}
