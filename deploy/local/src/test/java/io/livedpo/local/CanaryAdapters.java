package io.livedpo.local;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.OnlineDpo;
import io.livedpo.policy.train.OnlineRecipe;
import io.livedpo.policy.train.PreferenceEncoder;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.policy.train.StepResult;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.policy.train.TrainDefaults;
import io.livedpo.simulator.Choice;
import io.livedpo.simulator.Prompt;
import io.livedpo.simulator.PromptGenerator;
import io.livedpo.simulator.SimulatedUser;
import io.livedpo.simulator.SimulationConfig;
import io.livedpo.simulator.UserPopulation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The two adapters {@link TrainedAdapterCanaryIT} puts before the users, trained by the project's own DPO code in this
 * JVM. Pairs are sampled and encoded as {@code livedpo simulate-offline} does, but off-policy: every pair's two
 * answers are sampled once from the base model, with serving's default sampling. An honest simulated user's
 * Bradley–Terry choice by the hidden reward picks the chosen answer of each pair, and the same pairs train one adapter
 * as chosen and the other with chosen and rejected swapped. Deterministic for a seed: sampling has its own RNG per
 * sequence, the LoRA init is seeded and a DPO step draws no random numbers.
 */
final class CanaryAdapters {

    /** What serving does by default and what {@link UserTraffic} asks for. */
    static final float TEMPERATURE = 1.0f;
    static final int MAX_TOKENS = 48;
    private static final int GENERATION_BATCH = 32;

    private final PolicyModel base;
    private final UserPopulation users;
    private final SplittableRandom rng;

    CanaryAdapters(PolicyModel base, long seed) {
        this.base = base;
        SimulationConfig d = SimulationConfig.DEFAULT;
        this.users = new UserPopulation(new SimulationConfig(d.users(), d.ratePerSecond(), d.noise(), 0, 0, seed,
                d.k(), d.threshold()));
        this.rng = new SplittableRandom(seed);
    }

    /** One answer per prompt sampled from the base ({@code adapter} null) or an adapter, one seed per prompt. */
    List<String> answers(List<Prompt> prompts, LoraAdapter adapter, long seed) {
        Generator generator = new Generator(base.model(), base.tokenizer());
        List<String> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += GENERATION_BATCH) {
            List<Prompt> chunk = prompts.subList(from, Math.min(prompts.size(), from + GENERATION_BATCH));
            List<long[]> ids = chunk.stream().map(p -> base.tokenizer().encode(promptText(p))).toList();
            List<SamplingParams> params = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
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

    /**
     * {@code count} pairs, chosen by honest simulated users: two answers per prompt from the base, a user picks one by
     * the hidden reward. Prompts whose two answers are equal, and pairs over the model's context, are skipped (the
     * trainer dead-letters those).
     */
    List<PreferenceExample> honestPairs(int count, long seed) {
        PreferenceEncoder encoder = new PreferenceEncoder(base.tokenizer(), base.model().config().bosTokenId(),
                base.model().config().eosTokenId());
        PromptGenerator prompts = new PromptGenerator(seed);
        List<PreferenceExample> out = new ArrayList<>();
        for (int round = 0; out.size() < count; round++) {
            if (round > 20) {
                throw new IllegalStateException("only " + out.size() + " usable pairs of " + count);
            }
            List<Prompt> batch = new ArrayList<>();
            for (int i = 0; i < count - out.size(); i++) {
                batch.add(prompts.next());
            }
            List<String> a = answers(batch, null, seed + 7_919L * round);
            List<String> b = answers(batch, null, seed + 7_919L * round + 1_000_003L);
            for (int i = 0; i < batch.size(); i++) {
                if (a.get(i).equals(b.get(i))) {
                    continue;
                }
                SimulatedUser user = users.pick(rng);
                boolean firstWins = user.choose(batch.get(i), a.get(i), b.get(i), rng) == Choice.A;
                Prompt p = batch.get(i);
                PreferenceExample pair = encoder.encode(p.id(), promptText(p),
                        completionText(p, firstWins ? a.get(i) : b.get(i)),
                        completionText(p, firstWins ? b.get(i) : a.get(i)));
                if (pair.promptIds().length + Math.max(pair.chosenIds().length, pair.rejectedIds().length)
                        <= base.model().config().contextLength()) {
                    out.add(pair);
                }
            }
        }
        return out.subList(0, count);
    }

    /** The same pairs with every preference inverted: what users who wanted the opposite would have sent. */
    static List<PreferenceExample> inverted(List<PreferenceExample> pairs) {
        return pairs.stream().map(p -> new PreferenceExample(p.pairId(), p.promptIds(), p.rejectedIds(),
                p.chosenIds())).toList();
    }

    /**
     * A fresh adapter (LoRA seeded by {@code seed}) trained on {@code pairs} by {@link OnlineDpo}, {@code epochs}
     * passes in mini-batches of {@code batchSize}; the caller closes it.
     */
    LoraAdapter train(List<PreferenceExample> pairs, TrainConfig config, int batchSize, int epochs, long seed) {
        LoraConfig lora = new LoraConfig(Integer.parseInt(TrainDefaults.LORA_RANK),
                Float.parseFloat(TrainDefaults.LORA_ALPHA), base.model().defaultLoraTargets());
        LoraAdapter adapter = LoraAdapter.create(base.model(), lora, seed, base.manager());
        OnlineDpo dpo = new OnlineDpo(new DpoTrainer(base.model(), adapter, config), OnlineRecipe.defaults(), seed);
        int skipped = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int from = 0; from < pairs.size(); from += batchSize) {
                StepResult r = dpo.train(pairs.subList(from, Math.min(pairs.size(), from + batchSize)));
                skipped += r.applied() ? 0 : 1;
            }
        }
        if (skipped > 0) {
            throw new IllegalStateException(skipped + " batches skipped as non-finite");
        }
        return adapter;
    }

    /** The study's fastest early recipe (docs/LEARNING.md): β 0.25, SFT weight 0.2, learning rate 1e-3, no warm-up. */
    static TrainConfig recipe() {
        TrainConfig d = TrainConfig.defaults();
        return new TrainConfig(new DpoConfig(DpoLossType.SIGMOID, 0.25, 0, 0.2), 1e-3f, 0, d.maxGradNorm(),
                d.adamw());
    }

    /** Writes {@code adapter} as {@code policy} v{@code version} (PEFT layout + livedpo.json) at {@code dir}. */
    CheckpointMetadata write(LoraAdapter adapter, Path dir, String policy, long version, long parentVersion,
                             long pairsTrained) throws IOException {
        return AdapterCheckpoint.write(dir, adapter.config(), adapter.peftTensors(),
                CheckpointMetadata.draft(policy, version, parentVersion, base.fingerprint(), pairsTrained, Map.of(),
                        Instant.now(), Map.of()));
    }

    /**
     * The thumbs-up rate an honest user would give the policy's answers to {@code prompts}, vote noise included (a
     * noisy vote is a fair coin), as {@code livedpo simulate-offline} evaluates.
     */
    double expectedThumbsUp(List<Prompt> prompts, LoraAdapter adapter, long seed) {
        List<String> answers = answers(prompts, adapter, seed);
        SimulatedUser judge = users.users().stream().filter(u -> u.kind() == SimulatedUser.Kind.NORMAL)
                .findFirst().orElseThrow();
        double sum = 0;
        for (int i = 0; i < prompts.size(); i++) {
            sum += (1 - judge.noise()) * judge.upProbability(prompts.get(i), answers.get(i)) + judge.noise() / 2;
        }
        return sum / prompts.size();
    }

    private String promptText(Prompt p) {
        return base.tokenizer().chat().prompt(List.of(new ChatMessage("user", p.userText())));
    }

    private String completionText(Prompt p, String answer) {
        return base.tokenizer().chat().completion(List.of(new ChatMessage("user", p.userText())), answer);
    }
}
