package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.train.PreferenceEncoder;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.simulator.Choice;
import io.livedpo.simulator.Prompt;
import io.livedpo.simulator.PromptGenerator;
import io.livedpo.simulator.SimulatedUser;
import io.livedpo.simulator.SimulationConfig;
import io.livedpo.simulator.UserPopulation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The learning loop without Kafka: sample answers from a policy, let simulated users pick the better of two, train on
 * those pairs, and measure the thumbs-up rate and KL of what the tuned policy says on fresh prompts. The hidden reward
 * is seen only through the users' choices, never by training.
 */
final class OfflineSimulation {

    /** What serving does by default: temperature 1, no top-k/top-p cut, up to 64 tokens. */
    static final float TEMPERATURE = 1.0f;
    static final int MAX_TOKENS = 64;
    private static final int GENERATION_BATCH = 32;

    private final PolicyModel base;
    private final UserPopulation users;
    private final SplittableRandom rng;

    OfflineSimulation(PolicyModel base, long seed) {
        this.base = base;
        SimulationConfig d = SimulationConfig.DEFAULT;
        this.users = new UserPopulation(new SimulationConfig(d.users(), d.ratePerSecond(), d.noise(), 0, 0, seed,
                d.k(), d.threshold()));
        this.rng = new SplittableRandom(seed);
    }

    /** One answer per prompt, sampled from the policy (null adapter: the base). */
    List<String> answers(List<Prompt> prompts, LoraAdapter adapter, long seed) {
        Generator generator = new Generator(base.model(), base.tokenizer());
        List<String> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += GENERATION_BATCH) {
            List<Prompt> chunk = prompts.subList(from, Math.min(prompts.size(), from + GENERATION_BATCH));
            List<long[]> ids = chunk.stream().map(p -> base.tokenizer().encode(promptText(p))).toList();
            List<SamplingParams> params = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                params.add(new SamplingParams(TEMPERATURE, 0, 1f, MAX_TOKENS, seed + from + i,
                        base.tokenizer().chat().stops()));
            }
            for (Generation g : generator.generate(ids, params, adapter)) {
                out.add(base.tokenizer().chat().answer(g.text()));
            }
        }
        return out;
    }

    /** Two answers per prompt from the policy; a simulated user keeps the one it prefers. Ties of text are skipped. */
    List<PreferenceExample> pairs(PromptGenerator prompts, int count, LoraAdapter adapter, long seed) {
        PreferenceEncoder encoder = new PreferenceEncoder(base.tokenizer(), base.model().config().bosTokenId(),
                base.model().config().eosTokenId());
        List<PreferenceExample> out = new ArrayList<>();
        while (out.size() < count) {
            List<Prompt> batch = new ArrayList<>();
            for (int i = 0; i < Math.min(GENERATION_BATCH, count - out.size()); i++) {
                batch.add(prompts.next());
            }
            List<String> a = answers(batch, adapter, seed + out.size() * 2L);
            List<String> b = answers(batch, adapter, seed + out.size() * 2L + 1_000_003L);
            for (int i = 0; i < batch.size(); i++) {
                if (a.get(i).equals(b.get(i))) {
                    continue;
                }
                SimulatedUser user = users.pick(rng);
                boolean firstWins = user.choose(batch.get(i), a.get(i), b.get(i), rng) == Choice.A;
                out.add(encoder.encode(batch.get(i).id(), promptText(batch.get(i)),
                        completionText(batch.get(i), firstWins ? a.get(i) : b.get(i)),
                        completionText(batch.get(i), firstWins ? b.get(i) : a.get(i))));
            }
        }
        return out;
    }

    /** Evaluation of one policy on fixed prompts. */
    record Evaluation(double thumbsUpRate, double meanReward, double kl, int samples) {
    }

    /**
     * Expected thumbs-up rate of the policy's answers under the users' model, and the KL estimate: the mean of
     * log πθ(y|x) − log πref(y|x) over the policy's own samples.
     */
    Evaluation evaluate(List<Prompt> prompts, LoraAdapter adapter, long seed) {
        List<String> answers = answers(prompts, adapter, seed);
        SimulatedUser judge = users.users().get(0);
        double up = 0;
        double reward = 0;
        List<PromptCompletion> scored = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            up += judge.upProbability(prompts.get(i), answers.get(i));
            reward += io.livedpo.simulator.HiddenReward.score(prompts.get(i), answers.get(i));
            long[] completion = base.tokenizer().encode(completionText(prompts.get(i), answers.get(i)));
            if (completion.length > 0) {
                scored.add(new PromptCompletion(base.tokenizer().encode(promptText(prompts.get(i))), completion));
            }
        }
        double kl = 0;
        if (adapter != null && !scored.isEmpty()) {
            Scorer scorer = new Scorer(base.model());
            List<ScoredCompletion> policy = scorer.score(scored, adapter, GENERATION_BATCH);
            List<ScoredCompletion> reference = scorer.score(scored, null, GENERATION_BATCH);
            for (int i = 0; i < scored.size(); i++) {
                kl += policy.get(i).logprob() - reference.get(i).logprob();
            }
            kl /= scored.size();
        }
        return new Evaluation(up / prompts.size(), reward / prompts.size(), kl, prompts.size());
    }

    private String promptText(Prompt p) {
        return base.tokenizer().chat().prompt(List.of(new ChatMessage("user", p.userText())));
    }

    private String completionText(Prompt p, String answer) {
        return base.tokenizer().chat().completion(List.of(new ChatMessage("user", p.userText())), answer);
    }
}
