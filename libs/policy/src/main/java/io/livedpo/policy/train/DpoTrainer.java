package io.livedpo.policy.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.livedpo.policy.dpo.DpoLoss;
import io.livedpo.policy.dpo.DpoResult;
import io.livedpo.policy.dpo.SequenceLogps;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.BasePrecision;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.optim.AdamW;
import io.livedpo.policy.optim.AdamWState;
import io.livedpo.policy.optim.GradientClipping;
import io.livedpo.policy.optim.LrSchedule;
import io.livedpo.policy.optim.NonFinite;
import io.livedpo.policy.score.LogProbs;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.TokenBatch;
import java.util.ArrayList;
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
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        List<String> pairIds = batch.stream().map(PreferenceExample::pairId).toList();
        List<NDArray> params = adapter.parameters();
        try (NDScope scope = new NDScope()) {
            // Chosen rows first, then rejected: one forward for both halves, as TRL's concatenated_forward.
            List<PromptCompletion> rows = new ArrayList<>(2 * batch.size());
            batch.forEach(p -> rows.add(p.chosen()));
            batch.forEach(p -> rows.add(p.rejected()));
            TokenBatch tokens = TokenBatch.of(rows, model.config().contextLength(), model.config().eosTokenId(),
                    model.manager());
            long b = batch.size();
            NDArray reference; // [2B]
            try (NoGrad off = NoGrad.enter()) {
                reference = LogProbs.perSequence(LogProbs.perToken(model, tokens, this.reference));
            }
            DpoResult result;
            try (GradientCollector collector = model.manager().getEngine().newGradientCollector()) {
                NDArray perToken = LogProbs.perToken(model, tokens, adapter); // [2B, T-1]
                NDArray policy = LogProbs.perSequence(perToken); // [2B]
                NDArray lengths = tokens.completionTokens(); // [2B]
                NDArray chosenNll = config.dpo().sftWeight() > 0
                        ? perToken.get(new NDIndex(":{}", b)).sum().neg()
                                .div(lengths.get(new NDIndex(":{}", b)).sum()) // scalar
                        : null;
                result = DpoLoss.compute(config.dpo(), new SequenceLogps(
                        policy.get(new NDIndex(":{}", b)), policy.get(new NDIndex("{}:", b)),
                        reference.get(new NDIndex(":{}", b)), reference.get(new NDIndex("{}:", b)),
                        lengths.get(new NDIndex(":{}", b)), lengths.get(new NDIndex("{}:", b)), chosenNll));
                if (!NonFinite.isFinite(result.loss())) {
                    return skip("nonfinite_loss", result, pairIds);
                }
                collector.backward(result.loss());
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
                metrics.put("grad_norm", gradNorm);
                metrics.put("learning_rate", (double) lr);
                return new StepResult(optimizer.steps(), true, null, metrics, pairIds);
            } finally {
                // PyTorch accumulates into .grad across backward calls: clear it for the next batch.
                params.forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
            }
        }
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
