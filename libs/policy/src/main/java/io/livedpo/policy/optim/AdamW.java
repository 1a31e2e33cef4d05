package io.livedpo.policy.optim;

import io.livedpo.policy.nd.NoGrad;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019), step for step as torch.optim.AdamW:
 * <pre>
 * p ← p − lr·wd·p
 * m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²
 * p ← p − lr · m̂ / (sqrt(v̂) + eps),   m̂ = m / (1−β1^t),  v̂ = v / (1−β2^t)
 * </pre>
 * Parameters are updated in place with autograd off. The moment estimates live on each parameter's
 * manager; every temporary of a step is closed before it returns, so native memory stays flat.
 */
public final class AdamW {

    private final List<NDArray> parameters;
    private final AdamWConfig config;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private long steps;

    public AdamW(List<NDArray> parameters) {
        this(parameters, AdamWConfig.defaults());
    }

    public AdamW(List<NDArray> parameters, AdamWConfig config) {
        this.parameters = List.copyOf(parameters);
        this.config = Objects.requireNonNull(config, "config");
        for (NDArray parameter : this.parameters) {
            NDArray m = parameter.zerosLike(); // same shape as the parameter
            NDArray v = parameter.zerosLike(); // same shape as the parameter
            // Optimizer state outlives any NDScope the caller builds us in.
            NDScope.unregister(m, v);
            firstMoments.add(m);
            secondMoments.add(v);
        }
    }

    /**
     * Applies one update; {@code grads.get(i)} is the gradient of {@code parameters.get(i)}.
     *
     * @param lr learning rate of this step, e.g. from an {@link LrSchedule}
     */
    public void step(List<NDArray> grads, float lr) {
        if (grads.size() != parameters.size()) {
            throw new IllegalArgumentException(
                    "AdamW got " + grads.size() + " gradients for " + parameters.size() + " parameters");
        }
        for (int i = 0; i < grads.size(); i++) {
            if (!grads.get(i).getShape().equals(parameters.get(i).getShape())) {
                throw new IllegalArgumentException("Gradient " + i + " has shape " + grads.get(i).getShape()
                        + " but its parameter has " + parameters.get(i).getShape());
            }
        }
        if (!(lr >= 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("AdamW learning rate must be a finite number >= 0, got " + lr);
        }
        steps++;
        double beta1 = config.beta1();
        double beta2 = config.beta2();
        float stepSize = (float) (lr / (1 - Math.pow(beta1, steps)));
        float bias2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, steps));
        float decay = (float) (1 - lr * config.weightDecay());
        float eps = (float) config.eps();
        try (NoGrad ignored = NoGrad.enter(); NDScope temporaries = new NDScope()) {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i);
                NDArray g = grads.get(i);
                NDArray m = firstMoments.get(i);
                NDArray v = secondMoments.get(i);
                if (decay != 1) {
                    p.muli(decay); // decoupled: shrinks p regardless of g
                }
                m.muli((float) beta1).addi(g.mul((float) (1 - beta1))); // shape of p
                v.muli((float) beta2).addi(g.square().muli((float) (1 - beta2))); // shape of p
                // sqrt(v̂) + eps, computed as torch does: sqrt(v) / sqrt(1 − β2^t) + eps
                NDArray denom = v.sqrt().divi(bias2Sqrt).addi(eps); // shape of p
                p.subi(m.div(denom).muli(stepSize)); // shape of p
            }
        }
    }

    /**
     * The state as of now, named: {@code names.get(i)} names {@code parameters().get(i)}. The moments are shared with
     * this optimizer (no copy), so write them out before the next step.
     */
    public AdamWState state(List<String> names) {
        requireNames(names);
        Map<String, NDArray> m = new LinkedHashMap<>();
        Map<String, NDArray> v = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), firstMoments.get(i));
            v.put(names.get(i), secondMoments.get(i));
        }
        return new AdamWState(steps, m, v);
    }

    /**
     * Continues from a saved state: copies its moments into this optimizer's and takes its step count, so the next
     * update is the one the saved optimizer would have made. Every parameter must have both moments, of its shape.
     */
    public void restore(AdamWState state, List<String> names) {
        requireNames(names);
        if (!state.firstMoments().keySet().equals(Set.copyOf(names))) {
            throw new IllegalArgumentException("AdamW state is for parameters " + state.firstMoments().keySet()
                    + ", not " + names);
        }
        for (int i = 0; i < names.size(); i++) {
            NDArray m = state.firstMoments().get(names.get(i));
            NDArray v = state.secondMoments().get(names.get(i));
            Shape shape = parameters.get(i).getShape();
            if (!m.getShape().equals(shape) || !v.getShape().equals(shape)) {
                throw new IllegalArgumentException("AdamW state of " + names.get(i) + " has shapes " + m.getShape()
                        + " / " + v.getShape() + " but the parameter has " + shape);
            }
        }
        for (int i = 0; i < names.size(); i++) {
            firstMoments.get(i).set(state.firstMoments().get(names.get(i)).toFloatArray());
            secondMoments.get(i).set(state.secondMoments().get(names.get(i)).toFloatArray());
        }
        steps = state.steps();
    }

    private void requireNames(List<String> names) {
        if (names.size() != parameters.size() || Set.copyOf(names).size() != names.size()) {
            throw new IllegalArgumentException("AdamW needs " + parameters.size() + " distinct names, got " + names);
        }
    }

    /** Number of updates applied so far (torch's {@code state["step"]}). */
    public long steps() {
        return steps;
    }

    public AdamWConfig config() {
        return config;
    }

    public List<NDArray> parameters() {
        return parameters;
    }

    /** First-moment estimate m (torch's {@code exp_avg}) of parameter {@code index}; updated in place. */
    public NDArray firstMoment(int index) {
        return firstMoments.get(index);
    }

    /** Second-moment estimate v (torch's {@code exp_avg_sq}) of parameter {@code index}; updated in place. */
    public NDArray secondMoment(int index) {
        return secondMoments.get(index);
    }
}
