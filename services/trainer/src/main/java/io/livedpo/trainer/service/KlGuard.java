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
import java.util.List;

/**
 * Estimates KL(policy‖reference) on a fixed probe set, in nats per answer: the policy samples {@code samples} answers
 * to each probe prompt at temperature 1 (as serving answers by default), and the estimate is the mean of
 * log π(y|x) − log π_ref(y|x) over them (EOS included when an answer stopped) — the Monte Carlo estimate of the KL
 * of the answers users get, which the served answers' own estimate (EndToEndIT's {@code ServedKl}) checks. The seeds
 * are fixed, so successive checkpoints are compared on the same random draws; a policy that barely moved can read
 * slightly below zero.
 */
public final class KlGuard {

    /** The probe's random draws, the same for every checkpoint. */
    private static final long SEED = 0x4B4C;
    private static final int SCORE_BATCH = 16;

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
            List<long[]> asked = new ArrayList<>();
            List<SamplingParams> params = new ArrayList<>();
            for (int s = 0; s < settings.samples(); s++) {
                for (int i = 0; i < prompts.size(); i++) {
                    asked.add(prompts.get(i));
                    params.add(new SamplingParams(1f, 0, 1f, settings.maxTokens(), SEED + asked.size(),
                            base.tokenizer().chat().stops()));
                }
            }
            List<Generation> answers = new Generator(base.model(), base.tokenizer()).generate(asked, params, adapter);
            List<PromptCompletion> probes = new ArrayList<>(asked.size());
            for (int i = 0; i < asked.size(); i++) {
                long[] ids = answers.get(i).ids();
                // The answer as the policy would train on it: with its EOS when it stopped (and never empty).
                boolean stopped = Generation.STOP.equals(answers.get(i).finishReason());
                long[] completion = stopped || ids.length == 0 ? withEos(ids, eos) : ids;
                probes.add(new PromptCompletion(asked.get(i), fitContext(asked.get(i), completion)));
            }
            Scorer scorer = new Scorer(base.model());
            List<ScoredCompletion> policy = scorer.score(probes, adapter, SCORE_BATCH);
            List<ScoredCompletion> reference = scorer.score(probes, null, SCORE_BATCH);
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
