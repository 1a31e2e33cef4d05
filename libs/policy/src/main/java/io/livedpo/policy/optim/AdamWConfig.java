package io.livedpo.policy.optim;

/**
 * Hyper-parameters of {@link AdamW}, with torch.optim.AdamW's names. Doubles, as torch keeps them, so that
 * 1 − β is exact before it meets float32 tensors (1 − 0.999f is off by 1e-5 relative).
 *
 * @param beta1       decay of the first-moment (mean) estimate
 * @param beta2       decay of the second-moment (uncentred variance) estimate
 * @param eps         added to the denominator for stability
 * @param weightDecay decoupled decay rate; each step multiplies parameters by 1 − lr·weightDecay
 */
public record AdamWConfig(double beta1, double beta2, double eps, double weightDecay) {

    public AdamWConfig {
        requireUnitInterval(beta1, "beta1");
        requireUnitInterval(beta2, "beta2");
        if (!(eps > 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("AdamW eps must be a positive number, got " + eps);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("AdamW weightDecay must be a finite number >= 0, got " + weightDecay);
        }
    }

    /** betas 0.9 / 0.999, eps 1e-8, no weight decay. */
    public static AdamWConfig defaults() {
        return new AdamWConfig(0.9, 0.999, 1e-8, 0.0);
    }

    public AdamWConfig withWeightDecay(double decay) {
        return new AdamWConfig(beta1, beta2, eps, decay);
    }

    private static void requireUnitInterval(double beta, String name) {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException("AdamW " + name + " must be in [0, 1), got " + beta);
        }
    }
}
