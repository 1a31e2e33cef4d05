package io.livedpo.simulator;

/**
 * How reward turns into votes: P(UP) = σ(k·(r − threshold)) and, for a pair, P(a preferred) = σ(k·(r_a − r_b)).
 *
 * <p>{@link #DEFAULT} is calibrated (see {@code CalibrationTest}) so that answers in uniformly random styles get about
 * 45% thumbs up, the best style about 98% and the worst under 1%: room to learn, with a clear signal.
 */
public record UserModel(double k, double threshold) {

    public static final UserModel DEFAULT = new UserModel(1.0, -1.5);

    public UserModel {
        if (!(k > 0) || !Double.isFinite(k) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("k must be positive and finite, threshold finite: " + k + ", " + threshold);
        }
    }

    public double upProbability(double reward) {
        return sigmoid(k * (reward - threshold));
    }

    public double preferFirstProbability(double rewardFirst, double rewardSecond) {
        return sigmoid(k * (rewardFirst - rewardSecond));
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
