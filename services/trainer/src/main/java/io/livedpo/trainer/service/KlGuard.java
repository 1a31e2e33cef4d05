package io.livedpo.trainer.service;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Estimates KL(policy‖reference) on a fixed probe set: the policy answers each probe prompt greedily, and the estimate
 * is the mean over probes of log π(y|x) − log π_ref(y|x) of that answer (EOS included when it stopped), in nats per
 * sequence. Greedy answers make it deterministic, so successive checkpoints compare; it is the one-sample estimator at
 * the policy's mode, not an expectation over samples, and can read slightly below zero when the policy barely moved.
 */
public final class KlGuard {

    private final PolicyModel base;
    private final KlSettings settings;
    private final List<long[]> prompts;

    public KlGuard(PolicyModel base, KlSettings settings) {
        this.base = base;
        this.settings = settings;
        this.prompts = settings.probePrompts().stream()
                .map(p -> base.tokenizer().encode(
                        base.tokenizer().chat().prompt(List.of(new ChatMessage("user", p)))))
                .toList();
    }

    public double estimate(LoraAdapter adapter) {
        // A stopped answer ends as the policy trains on it: with the template's end-of-turn, else EOS.
        long eos = base.tokenizer().endOfTurnId().orElse((long) base.model().config().eosTokenId());
        try (NoGrad off = NoGrad.enter()) {
            List<Generation> answers = new Generator(base.model(), base.tokenizer()).generate(prompts,
                    Collections.nCopies(prompts.size(), SamplingParams.greedy(settings.maxTokens())), adapter);
            List<PromptCompletion> probes = new ArrayList<>(prompts.size());
            for (int i = 0; i < prompts.size(); i++) {
                long[] ids = answers.get(i).ids();
                // The answer as the policy would train on it: with its EOS when it stopped (and never empty).
                boolean stopped = Generation.STOP.equals(answers.get(i).finishReason());
                long[] completion = stopped || ids.length == 0 ? withEos(ids, eos) : ids;
                probes.add(new PromptCompletion(prompts.get(i), fitContext(prompts.get(i), completion)));
            }
            Scorer scorer = new Scorer(base.model());
            List<ScoredCompletion> policy = scorer.score(probes, adapter, probes.size());
            List<ScoredCompletion> reference = scorer.score(probes, null, probes.size());
            double sum = 0;
            for (int i = 0; i < probes.size(); i++) {
                sum += policy.get(i).logprob() - reference.get(i).logprob();
            }
            return sum / probes.size();
        }
    }

    public boolean withinBudget(double kl) {
        return Double.isFinite(kl) && kl <= settings.budget();
    }

    public boolean continueOnBreach() {
        return settings.continueOnBreach();
    }

    private static long[] withEos(long[] ids, long eos) {
        long[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = eos;
        return out;
    }

    /** An EOS appended after a length stop may not fit the context: the scorer refuses what does not fit. */
    private long[] fitContext(long[] prompt, long[] completion) {
        int room = base.model().config().contextLength() - prompt.length;
        return completion.length <= room ? completion : Arrays.copyOf(completion, room);
    }
}
