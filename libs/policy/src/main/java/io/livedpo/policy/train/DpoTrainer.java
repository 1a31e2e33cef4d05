package io.livedpo.policy.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.livedpo.policy.dpo.DpoLoss;
import io.livedpo.policy.dpo.DpoResult;
import io.livedpo.policy.dpo.KtoConfig;
import io.livedpo.policy.dpo.KtoLoss;
import io.livedpo.policy.dpo.SequenceLogps;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.BasePrecision;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.nd.Scalars;
import io.livedpo.policy.optim.AdamW;
import io.livedpo.policy.optim.AdamWState;
import io.livedpo.policy.optim.GradientClipping;
import io.livedpo.policy.optim.LrSchedule;
import io.livedpo.policy.optim.NonFinite;
import io.livedpo.policy.score.LogProbs;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Incremental DPO on a LoRA adapter: each call to {@link #step} is one optimizer update from one batch of pairs. The
 * reference is the same base model with the adapter off, so no second copy of the weights exists — unless a moving
 * reference is chosen ({@link #refreshReference}, TR-DPO): then it is the base with a frozen copy of the adapter.
 */
public final class DpoTrainer {

    private final CausalLm model;
    private final LoraAdapter adapter;
    private final TrainConfig config;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private long skipped;
    /** The reference's adapter: null while the reference is the base itself. */
    private LoraAdapter reference;

    public DpoTrainer(CausalLm model, LoraAdapter adapter, TrainConfig config) {
        BasePrecision.requireTrainable(model.precision());
        this.model = model;
        this.adapter = adapter;
        this.config = config;
        this.optimizer = new AdamW(adapter.parameters(), config.adamw());
        this.schedule = config.schedule();
    }

    public StepResult step(List<PreferenceExample> batch) {
        return step(batch, List.of(), KtoConfig.defaults());
    }

    /**
     * One update from pairs and, when {@code kto} is enabled, single thumbs votes: the pairs' DPO loss plus
     * {@code kto.weight()} times the singles' mean KTO loss ({@link KtoLoss}). Its reference point z0 comes from the
     * step's own answers, each scored after another example's prompt (TRL's mismatched KL rows), under the policy and
     * the reference, without gradient. With singles but KTO off, the singles are ignored.
     */
    public StepResult step(List<PreferenceExample> batch, List<ThumbsExample> singles, KtoConfig kto) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        List<ThumbsExample> voted = kto.enabled() ? singles : List.of();
        List<String> pairIds = batch.stream().map(PreferenceExample::pairId).toList();
        List<NDArray> params = adapter.parameters();
        try (NDScope scope = new NDScope()) {
            // Chosen rows first, then rejected, then single answers: one forward for all, as TRL's concatenated_forward.
            List<PromptCompletion> rows = new ArrayList<>(2 * batch.size() + voted.size());
            batch.forEach(p -> rows.add(p.chosen()));
            batch.forEach(p -> rows.add(p.rejected()));
            voted.forEach(t -> rows.add(t.completion()));
            TokenBatch tokens = TokenBatch.of(rows, model.config().contextLength(), model.config().eosTokenId(),
                    model.manager());
            long b = batch.size();
            NDArray reference; // [2B+U]
            NDArray klPolicy = null;
            NDArray klReference = null;
            try (NoGrad off = NoGrad.enter()) {
                reference = LogProbs.perSequence(LogProbs.perToken(model, tokens, this.reference));
                if (!voted.isEmpty()) {
                    List<PromptCompletion> klRows = mismatched(batch, voted);
                    if (klRows.isEmpty()) {
                        klPolicy = model.manager().create(new float[0]);
                        klReference = model.manager().create(new float[0]);
                    } else {
                        TokenBatch kl = TokenBatch.of(klRows, model.config().contextLength(),
                                model.config().eosTokenId(), model.manager());
                        klPolicy = LogProbs.perSequence(LogProbs.perToken(model, kl, adapter));
                        klReference = LogProbs.perSequence(LogProbs.perToken(model, kl, this.reference));
                    }
                }
            }
            DpoResult result;
            KtoLoss.KtoResult ktoResult = null;
            NDArray loss;
            try (GradientCollector collector = model.manager().getEngine().newGradientCollector()) {
                NDArray perToken = LogProbs.perToken(model, tokens, adapter); // [2B+U, T-1]
                NDArray policy = LogProbs.perSequence(perToken); // [2B+U]
                NDArray lengths = tokens.completionTokens(); // [2B+U]
                NDArray chosenNll = config.dpo().sftWeight() > 0
                        ? perToken.get(new NDIndex(":{}", b)).sum().neg()
                                .div(lengths.get(new NDIndex(":{}", b)).sum()) // scalar
                        : null;
                NDIndex chosen = new NDIndex(":{}", b);
                NDIndex rejected = new NDIndex("{}:{}", b, 2 * b);
                result = DpoLoss.compute(config.dpo(), new SequenceLogps(
                        policy.get(chosen), policy.get(rejected), reference.get(chosen), reference.get(rejected),
                        lengths.get(chosen), lengths.get(rejected), chosenNll));
                loss = result.loss();
                if (!voted.isEmpty()) {
                    float[] up = new float[voted.size()];
                    for (int i = 0; i < up.length; i++) {
                        up[i] = voted.get(i).up() ? 1f : 0f;
                    }
                    NDIndex single = new NDIndex("{}:", 2 * b);
                    ktoResult = KtoLoss.compute(config.dpo().beta(), kto, policy.get(single), reference.get(single),
                            model.manager().create(up), klPolicy, klReference);
                    loss = loss.add(Scalars.mul(ktoResult.loss(), kto.weight()));
                }
                if (!NonFinite.isFinite(loss)) {
                    return skip("nonfinite_loss", result, pairIds);
                }
                collector.backward(loss);
            }
            List<NDArray> grads = new ArrayList<>(params.size());
            params.forEach(p -> grads.add(p.getGradient()));
            try {
                if (NonFinite.anyNonFinite(grads)) {
                    return skip("nonfinite_grad", result, pairIds);
                }
                double gradNorm = GradientClipping.clipGlobalNorm(grads, config.maxGradNorm());
                float lr = schedule.lr(optimizer.steps() + 1);
                optimizer.step(grads, lr);
                Map<String, Double> metrics = new LinkedHashMap<>(result.metrics().asMap());
                if (ktoResult != null) {
                    metrics.put("loss", (double) loss.getFloat());
                    metrics.putAll(ktoResult.metrics());
                }
                metrics.put("grad_norm", gradNorm);
                metrics.put("learning_rate", (double) lr);
                return new StepResult(optimizer.steps(), true, null, metrics, pairIds);
            } finally {
                // PyTorch accumulates into .grad across backward calls: clear it for the next batch.
                params.forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
            }
        }
    }

    /**
     * KTO's KL rows: each answer of the step (the pairs' chosen ones and the voted ones, one per prompt) after the next
     * one's prompt, cut to the context. Fewer than two answers give none, and then z0 = 0.
     */
    private List<PromptCompletion> mismatched(List<PreferenceExample> batch, List<ThumbsExample> voted) {
        List<PromptCompletion> answers = new ArrayList<>();
        batch.forEach(p -> answers.add(p.chosen()));
        voted.forEach(t -> answers.add(t.completion()));
        List<PromptCompletion> out = new ArrayList<>();
        if (answers.size() < 2) {
            return out;
        }
        int context = model.config().contextLength();
        for (int i = 0; i < answers.size(); i++) {
            long[] prompt = answers.get((i + 1) % answers.size()).promptIds();
            long[] completion = answers.get(i).completionIds();
            int room = context - prompt.length;
            if (room >= 1) {
                out.add(new PromptCompletion(prompt, Arrays.copyOf(completion, Math.min(completion.length, room))));
            }
        }
        return out;
    }

    private StepResult skip(String reason, DpoResult result, List<String> pairIds) {
        skipped++;
        return new StepResult(optimizer.steps(), false, reason, result.metrics().asMap(), pairIds);
    }

    /**
     * The optimizer's state by PEFT tensor name, shared with the optimizer: write it out (with the adapter) before the
     * next step. A DPO step draws no random numbers (no dropout), so this plus the adapter decides every next update.
     */
    public AdamWState optimizerState() {
        return optimizer.state(parameterNames());
    }

    /** Continues the optimizer (moments, step and so the warm-up position) from a state saved with the adapter. */
    public void restoreOptimizer(AdamWState state) {
        optimizer.restore(state, parameterNames());
    }

    /** PEFT names in the optimizer's parameter order, matched by identity so no ordering is assumed. */
    private List<String> parameterNames() {
        List<String> names = new ArrayList<>();
        Map<String, NDArray> named = adapter.peftTensors();
        for (NDArray parameter : optimizer.parameters()) {
            names.add(named.entrySet().stream().filter(e -> e.getValue() == parameter).map(Map.Entry::getKey)
                    .findFirst().orElseThrow(() -> new IllegalStateException("an optimized tensor has no PEFT name")));
        }
        return names;
    }

    /**
     * TR-DPO's reference update: the reference becomes α·policy + (1−α)·reference (α = 1: a copy of the policy). The
     * first call makes the frozen copy; {@link #close} (or the adapter's manager) frees it.
     */
    public void refreshReference(float alpha) {
        if (reference == null) {
            reference = adapter.frozenCopy(adapter.manager());
            if (alpha < 1) {
                // The reference so far was the base (a zero update): start from it, then take the soft step.
                reference.parameters().forEach(p -> p.set(new float[Math.toIntExact(p.size())]));
                reference.moveToward(adapter, alpha);
            }
        } else {
            reference.moveToward(adapter, alpha);
        }
    }

    /** True once the reference follows the policy (TR-DPO) instead of being the base. */
    public boolean movingReference() {
        return reference != null;
    }

    /** Optimizer updates applied so far. */
    public long steps() {
        return optimizer.steps();
    }

    /** Batches skipped for a non-finite loss or gradient. */
    public long skippedBatches() {
        return skipped;
    }

    public LoraAdapter adapter() {
        return adapter;
    }
}
