package io.livedpo.policy.dpo;

import io.livedpo.policy.nd.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Activation;

import java.util.Objects;

/**
 * The DPO family of preference losses, following TRL's {@code DPOTrainer.dpo_loss}. With
 * Δ = (π_c − π_r) − (ref_c − ref_r) per pair:
 * <ul>
 *   <li>sigmoid: −(1−ε)·logσ(βΔ) − ε·logσ(−βΔ)</li>
 *   <li>robust: [−(1−ε)·logσ(βΔ) + ε·logσ(−βΔ)] / (1−2ε)</li>
 *   <li>hinge: relu(1 − βΔ)</li>
 *   <li>ipo: (Δ − 1/(2β))², on log-probs divided by their completion lengths</li>
 * </ul>
 * The loss is the batch mean plus sftWeight·chosenNll (RPO).
 */
public final class DpoLoss {

    private DpoLoss() {
    }

    /**
     * Computes the loss and its metrics. Intermediate arrays are closed before returning; the loss is the
     * only new array, attached to the inputs' manager and registered with the caller's {@link NDScope}, if any.
     */
    public static DpoResult compute(DpoConfig cfg, SequenceLogps b) {
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(b, "b");
        if (cfg.sftWeight() > 0 && b.chosenNll() == null) {
            throw new IllegalArgumentException("sftWeight > 0 needs the batch's chosenNll");
        }
        boolean ipo = cfg.lossType() == DpoLossType.IPO;
        NDArray loss;
        DpoMetrics metrics;
        try (NDScope ignored = new NDScope()) {
            if (ipo) {
                requirePositive(b.chosenTokens(), "chosenTokens");
                requirePositive(b.rejectedTokens(), "rejectedTokens");
            }
            NDArray policyChosen = perToken(b.policyChosen(), b.chosenTokens(), ipo); // [B]
            NDArray policyRejected = perToken(b.policyRejected(), b.rejectedTokens(), ipo); // [B]
            // Detached defensively: the reference is a constant of the objective.
            NDArray refChosen = perToken(b.referenceChosen().stopGradient(), b.chosenTokens(), ipo); // [B]
            NDArray refRejected = perToken(b.referenceRejected().stopGradient(), b.rejectedTokens(), ipo); // [B]

            NDArray delta = policyChosen.sub(policyRejected).sub(refChosen.sub(refRejected)); // [B]
            loss = perPair(cfg, delta).mean(); // []
            if (cfg.sftWeight() > 0) {
                loss = loss.add(Scalars.mul(b.chosenNll().reshape(), (float) cfg.sftWeight())); // []
            }
            metrics = DpoMetrics.of(loss.getFloat(), cfg.beta(),
                    policyChosen.stopGradient().toFloatArray(),
                    policyRejected.stopGradient().toFloatArray(),
                    refChosen.toFloatArray(),
                    refRejected.toFloatArray());
            NDScope.unregister(loss);
        }
        NDScope.register(loss);
        return new DpoResult(loss, metrics);
    }

    /** Per-pair losses [B] for the configured variant. */
    private static NDArray perPair(DpoConfig cfg, NDArray delta) {
        float beta = (float) cfg.beta();
        float eps = (float) cfg.labelSmoothing();
        return switch (cfg.lossType()) {
            case SIGMOID -> {
                NDArray z = Scalars.mul(delta, beta); // [B]
                yield Scalars.mul(logSigmoid(z), -(1 - eps)).sub(Scalars.mul(logSigmoid(z.neg()), eps)); // [B]
            }
            case ROBUST -> {
                NDArray z = Scalars.mul(delta, beta); // [B]
                yield Scalars.div(Scalars.mul(logSigmoid(z), -(1 - eps)).add(Scalars.mul(logSigmoid(z.neg()), eps)),
                        1 - 2 * eps); // [B]
            }
            case HINGE -> Activation.relu(Scalars.mul(delta, -beta).add(1f)); // [B]
            case IPO -> delta.sub((float) (1 / (2 * cfg.beta()))).square(); // [B]
        };
    }

    /**
     * logσ(x) = −(max(−x, 0) + log(1 + exp(−|x|))): exp never sees a positive argument, so huge |x| stays
     * finite in value and gradient. At x = 0 torch splits the max's gradient between its tied inputs and
     * abs has gradient 0, which gives the exact σ(0) = ½ slope (the case of a fresh adapter, policy = ref).
     */
    private static NDArray logSigmoid(NDArray x) {
        NDArray softplusTail = x.abs().neg().exp().add(1f).log(); // [B]
        return Scalars.maximum(x.neg(), 0f).add(softplusTail).neg(); // [B]
    }

    /** IPO's margin 1/(2β) is per token, so TRL divides each sequence log-prob by its completion length. */
    private static NDArray perToken(NDArray logps, NDArray tokens, boolean normalise) {
        return normalise ? logps.div(tokens) : logps; // [B]
    }

    private static void requirePositive(NDArray tokens, String name) {
        if (tokens.min().getFloat() < 1) {
            throw new IllegalArgumentException(name + " must all be >= 1 to length-normalise for IPO");
        }
    }
}
