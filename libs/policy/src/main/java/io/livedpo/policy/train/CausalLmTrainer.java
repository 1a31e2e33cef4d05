package io.livedpo.policy.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.livedpo.policy.model.BasePrecision;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.optim.AdamW;
import io.livedpo.policy.optim.GradientClipping;
import io.livedpo.policy.optim.NonFinite;
import java.util.ArrayList;
import java.util.List;

/**
 * Pre-training or full fine-tuning of every base weight with next-token cross-entropy over packed windows. The model's
 * weights are made trainable for good and updated in place; meant for small models (optimizer state is twice the
 * weights). AdamW runs as two parameter groups, as in GPT-2 recipes: matrices (embeddings, projections) with the
 * configured decoupled weight decay, biases and LayerNorm gains without it, since shrinking those towards 0 only hurts.
 */
public final class CausalLmTrainer {

    private final CausalLm model;
    private final CausalLmConfig config;
    private final List<NDArray> decayed = new ArrayList<>();
    private final List<NDArray> undecayed = new ArrayList<>();
    private final List<NDArray> parameters = new ArrayList<>(); // decayed, then undecayed: the gradient order
    private final AdamW decayedOptimizer;
    private final AdamW undecayedOptimizer;
    private long skipped;

    public CausalLmTrainer(CausalLm model, CausalLmConfig config) {
        BasePrecision.requireTrainable(model.precision());
        this.model = model;
        this.config = config;
        for (NDArray w : model.weights().values()) {
            w.setRequiresGradient(true);
            (w.getShape().dimension() >= 2 ? decayed : undecayed).add(w);
        }
        parameters.addAll(decayed);
        parameters.addAll(undecayed);
        this.decayedOptimizer = new AdamW(decayed, config.adamw());
        this.undecayedOptimizer = new AdamW(undecayed, config.adamw().withWeightDecay(0));
    }

    /** One optimizer update from one batch. */
    public LmStepResult step(PackedBatch batch) {
        long tokens = batch.tokens();
        NDManager m = model.manager();
        try (NDScope scope = new NDScope()) {
            Shape shape = new Shape(batch.rows(), batch.length());
            NDArray inputs = m.create(batch.inputs(), shape); // [B, T]
            NDArray targets = m.create(batch.targets(), shape).expandDims(-1); // [B, T, 1]
            NDArray mask = m.ones(shape, DataType.INT64); // [B, T]: packed windows have no padding
            double loss;
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                NDArray logits = model.forward(inputs, mask, null, null, false); // [B, T, V]
                NDArray nll = logits.logSoftmax(-1).gather(targets, 2).neg().mean(); // []
                loss = nll.getFloat();
                if (!Double.isFinite(loss)) {
                    return skip("nonfinite_loss", loss, tokens);
                }
                collector.backward(nll);
            }
            List<NDArray> grads = new ArrayList<>(parameters.size());
            parameters.forEach(p -> grads.add(p.getGradient()));
            try {
                if (NonFinite.anyNonFinite(grads)) {
                    return skip("nonfinite_grad", loss, tokens);
                }
                double gradNorm = GradientClipping.clipGlobalNorm(grads, config.maxGradNorm());
                float lr = config.schedule().lr(steps() + 1);
                decayedOptimizer.step(grads.subList(0, decayed.size()), lr);
                undecayedOptimizer.step(grads.subList(decayed.size(), grads.size()), lr);
                return new LmStepResult(steps(), true, null, loss, gradNorm, lr, tokens);
            } finally {
                // PyTorch accumulates into .grad across backward calls: clear it for the next batch.
                parameters.forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
            }
        }
    }

    private LmStepResult skip(String reason, double loss, long tokens) {
        skipped++;
        return new LmStepResult(steps(), false, reason, loss, Double.NaN, 0, tokens);
    }

    /** Optimizer updates applied so far. */
    public long steps() {
        return decayedOptimizer.steps();
    }

    /** Batches skipped for a non-finite loss or gradient. */
    public long skippedBatches() {
        return skipped;
    }

    public CausalLm model() {
        return model;
    }
}
