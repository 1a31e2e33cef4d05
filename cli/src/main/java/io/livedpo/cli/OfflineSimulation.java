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
import io.livedpo.policy.train.ThumbsExample;
import io.livedpo.simulator.Choice;
import io.livedpo.simulator.Correctness;
import io.livedpo.simulator.HiddenReward;
import io.livedpo.simulator.Prompt;
import io.livedpo.simulator.PromptGenerator;
import io.livedpo.simulator.SimulatedUser;
import io.livedpo.simulator.SimulationConfig;
import io.livedpo.simulator.TaskFamily;
import io.livedpo.simulator.UserPopulation;
import io.livedpo.simulator.Vote;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The learning loop without Kafka: sample answers from a policy, let simulated users pick the better of two, train on
 * those pairs, and measure the thumbs-up rate and KL of what the tuned policy says on fresh prompts. The hidden reward
 * is seen only through the users' choices, never by training.
 */
final class OfflineSimulation {

    /** What serving does by default: temperature 1, no top-k/top-p cut. */
    static final float TEMPERATURE = 1.0f;
    /** The answer length the live loop's simulated users ask for (`UserTraffic`'s max_tokens). */
    static final int MAX_TOKENS = 48;
    private static final int GENERATION_BATCH = 32;
    /**
     * Salt of the single thumbs votes' own streams (their users' draws here, their prompts in
     * {@link #thumbsPrompts}), so adding them leaves the A/B pairs' stream exactly as it was: a run that ignores them
     * trains on the very pairs a run without them does.
     */
    private static final long THUMBS_STREAM = 0x7407B5L;

    private final PolicyModel base;
    private final UserPopulation users;
    private final SplittableRandom rng;
    private final SplittableRandom thumbsRng;
    private final PreferenceEncoder encoder;

    OfflineSimulation(PolicyModel base, long seed) {
        this(base, seed, 0);
    }

    /** {@code adversarialShare}: users who choose against the hidden reward (the judge is always an honest one). */
    OfflineSimulation(PolicyModel base, long seed, double adversarialShare) {
        this.base = base;
        SimulationConfig d = SimulationConfig.DEFAULT;
        this.users = new UserPopulation(new SimulationConfig(d.users(), d.ratePerSecond(), d.noise(),
                adversarialShare, 0, seed, d.k(), d.threshold()));
        this.rng = new SplittableRandom(seed);
        this.thumbsRng = new SplittableRandom(seed ^ THUMBS_STREAM);
        this.encoder = new PreferenceEncoder(base.tokenizer(), base.model().config().bosTokenId(),
                base.model().config().eosTokenId());
    }

    /** The prompts the single thumbs votes of a run with this seed are cast on, apart from the pairs' prompts. */
    static PromptGenerator thumbsPrompts(long seed) {
        return new PromptGenerator(seed ^ THUMBS_STREAM);
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
                // Within the context with the EOS a scored answer gets (a small model's context may be short).
                int room = base.model().config().contextLength() - ids.get(i).length - 2;
                params.add(new SamplingParams(TEMPERATURE, 0, 1f, Math.max(1, Math.min(MAX_TOKENS, room)),
                        seed + from + i, base.tokenizer().chat().stops()));
            }
            for (Generation g : generator.generate(ids, params, adapter)) {
                out.add(base.tokenizer().chat().answer(g.text()));
            }
        }
        return out;
    }

    /** Two answers per prompt from the policy; a simulated user keeps the one it prefers. Ties of text are skipped. */
    List<PreferenceExample> pairs(PromptGenerator prompts, int count, LoraAdapter adapter, long seed) {
        List<PreferenceExample> out = new ArrayList<>();
        int asked = 0;
        while (out.size() < count) {
            if (asked > 20 * count + 100) {
                throw new BadInputException("only " + out.size() + " of " + asked + " sampled pairs were usable"
                        + " (different answers that fit the model's context of "
                        + base.model().config().contextLength() + " tokens)");
            }
            List<Prompt> batch = new ArrayList<>();
            for (int i = 0; i < Math.min(GENERATION_BATCH, count - out.size()); i++) {
                batch.add(prompts.next());
            }
            asked += batch.size();
            List<String> a = answers(batch, adapter, seed + out.size() * 2L);
            List<String> b = answers(batch, adapter, seed + out.size() * 2L + 1_000_003L);
            for (int i = 0; i < batch.size(); i++) {
                if (a.get(i).equals(b.get(i))) {
                    continue;
                }
                SimulatedUser user = users.pick(rng);
                boolean firstWins = user.choose(batch.get(i), a.get(i), b.get(i), rng) == Choice.A;
                PreferenceExample pair = encoder.encode(batch.get(i).id(), promptText(batch.get(i)),
                        completionText(batch.get(i), firstWins ? a.get(i) : b.get(i)),
                        completionText(batch.get(i), firstWins ? b.get(i) : a.get(i)));
                // As the trainer does (it dead-letters them): a pair over the model's context cannot be trained.
                if (pair.promptIds().length + Math.max(pair.chosenIds().length, pair.rejectedIds().length)
                        <= base.model().config().contextLength()) {
                    out.add(pair);
                }
            }
        }
        return out;
    }

    /**
     * Single thumbs votes, as the live loop's users give them on answers served alone: one answer per prompt sampled
     * from the policy, and a simulated user votes it up or down ({@link SimulatedUser#thumbs}). Prompts come from
     * their own stream ({@code prompts}), draws from their own generator.
     */
    List<ThumbsExample> singles(PromptGenerator prompts, int count, LoraAdapter adapter, long seed) {
        List<Prompt> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(prompts.next());
        }
        List<String> answers = answers(batch, adapter, seed + 2_000_003L);
        List<ThumbsExample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SimulatedUser user = users.pick(thumbsRng);
            boolean up = user.thumbs(batch.get(i), answers.get(i), thumbsRng) == Vote.UP;
            ThumbsExample vote = encoder.encodeThumbs(batch.get(i).id(), promptText(batch.get(i)),
                    completionText(batch.get(i), answers.get(i)), up);
            // The vote is cast either way (it counts in the vote budget); an answer over the context cannot train.
            if (vote.promptIds().length + vote.completionIds().length <= base.model().config().contextLength()) {
                out.add(vote);
            }
        }
        return out;
    }

    /**
     * Evaluation of one policy on fixed prompts: {@code thumbsUpRate} is the rate the default simulated user would
     * vote up, its vote noise included (a noisy vote is a fair coin), as the live loop's users vote; the standard
     * errors are over the prompts.
     */
    record Evaluation(double thumbsUpRate, double thumbsUpStdErr, double meanReward, double kl, double klStdErr,
                      int samples, Map<TaskFamily, FamilyScore> families) {

        /** The JSON fields of one evaluation, as {@code replay} and {@code simulate-offline} print them. */
        Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("thumbs_up", thumbsUpRate);
            m.put("thumbs_up_ci95", 1.96 * thumbsUpStdErr);
            m.put("reward", meanReward);
            m.put("kl", kl);
            m.put("kl_ci95", 1.96 * klStdErr);
            m.put("eval_prompts", samples);
            Map<String, Object> byFamily = new LinkedHashMap<>();
            families.forEach((family, score) -> byFamily.put(family.name().toLowerCase(java.util.Locale.ROOT),
                    score.fields()));
            m.put("families", byFamily);
            return m;
        }
    }

    /**
     * One task family's share of an evaluation: its prompts, their expected thumbs-up and how often the answers got
     * the facts right or wrong ({@link HiddenReward#correctness}) — where a plateau comes from.
     */
    record FamilyScore(int prompts, double thumbsUp, double correct, double wrong) {

        Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("prompts", prompts);
            m.put("thumbs_up", thumbsUp);
            m.put("correct", correct);
            m.put("wrong", wrong);
            return m;
        }
    }

    /** The fresh prompts every evaluation for {@code seed} uses: a stream the policy never trains on. */
    static List<Prompt> evaluationPrompts(long seed, int count) {
        PromptGenerator generator = new PromptGenerator(seed ^ 0x5DEECE66DL);
        List<Prompt> prompts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            prompts.add(generator.next());
        }
        return prompts;
    }

    /** The honest user whose votes the evaluations count. */
    SimulatedUser judge() {
        return users.users().stream().filter(u -> u.kind() == SimulatedUser.Kind.NORMAL).findFirst().orElseThrow();
    }

    /** The chance {@code judge} votes the answer up, its vote noise included (a noisy vote is a fair coin). */
    static double expectedUp(SimulatedUser judge, Prompt prompt, String answer) {
        return (1 - judge.noise()) * judge.upProbability(prompt, answer) + judge.noise() / 2;
    }

    /**
     * Expected thumbs-up rate of the policy's answers under the users' model, and the KL estimate: the mean of
     * log πθ(y|x) − log πref(y|x) over the policy's own samples.
     */
    Evaluation evaluate(List<Prompt> prompts, LoraAdapter adapter, long seed) {
        List<String> answers = answers(prompts, adapter, seed);
        SimulatedUser judge = judge();
        double[] up = new double[prompts.size()];
        double reward = 0;
        List<PromptCompletion> scored = new ArrayList<>();
        Map<TaskFamily, double[]> tally = new EnumMap<>(TaskFamily.class); // prompts, thumbs-up, correct, wrong
        for (int i = 0; i < prompts.size(); i++) {
            up[i] = expectedUp(judge, prompts.get(i), answers.get(i));
            reward += HiddenReward.score(prompts.get(i), answers.get(i));
            Correctness correctness = HiddenReward.correctness(prompts.get(i), answers.get(i));
            double[] t = tally.computeIfAbsent(prompts.get(i).family(), f -> new double[4]);
            t[0]++;
            t[1] += up[i];
            t[2] += correctness == Correctness.CORRECT ? 1 : 0;
            t[3] += correctness == Correctness.WRONG ? 1 : 0;
            long[] prompt = base.tokenizer().encode(promptText(prompts.get(i)));
            long[] completion = base.tokenizer().encode(completionText(prompts.get(i), answers.get(i)));
            // Re-encoding the answer's text may take a token more than generating it did: keep to the context.
            completion = java.util.Arrays.copyOf(completion, Math.min(completion.length,
                    base.model().config().contextLength() - prompt.length));
            if (completion.length > 0) {
                scored.add(new PromptCompletion(prompt, completion));
            }
        }
        double[] ratio = new double[scored.size()];
        if (adapter != null && !scored.isEmpty()) {
            Scorer scorer = new Scorer(base.model());
            List<ScoredCompletion> policy = scorer.score(scored, adapter, GENERATION_BATCH);
            List<ScoredCompletion> reference = scorer.score(scored, null, GENERATION_BATCH);
            for (int i = 0; i < scored.size(); i++) {
                ratio[i] = policy.get(i).logprob() - reference.get(i).logprob();
            }
        }
        Map<TaskFamily, FamilyScore> families = new EnumMap<>(TaskFamily.class);
        tally.forEach((family, t) -> families.put(family, new FamilyScore((int) t[0], t[1] / t[0], t[2] / t[0],
                t[3] / t[0])));
        return new Evaluation(mean(up), stdErr(up), reward / prompts.size(), mean(ratio), stdErr(ratio),
                prompts.size(), families);
    }

    private static double mean(double[] xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return xs.length == 0 ? 0 : sum / xs.length;
    }

    private static double stdErr(double[] xs) {
        if (xs.length < 2) {
            return Double.NaN;
        }
        double m = mean(xs);
        double ss = 0;
        for (double x : xs) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (xs.length - 1) / xs.length);
    }

    private String promptText(Prompt p) {
        return base.tokenizer().chat().prompt(List.of(new ChatMessage("user", p.userText())));
    }

    private String completionText(Prompt p, String answer) {
        return base.tokenizer().chat().completion(List.of(new ChatMessage("user", p.userText())), answer);
    }
}
