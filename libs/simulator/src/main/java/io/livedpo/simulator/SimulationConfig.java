package io.livedpo.simulator;

/**
 * A simulated user population and its traffic: {@code users} users sending {@code ratePerSecond} interactions in
 * total, each with vote noise {@code noise}; the given shares of them adversarial or flooders; votes by
 * {@link UserModel}{@code (k, threshold)}. Everything derived from it is deterministic for {@code seed}.
 */
public record SimulationConfig(int users, double ratePerSecond, double noise, double adversarialShare,
                               double flooderShare, long seed, double k, double threshold) {

    public static final SimulationConfig DEFAULT = new SimulationConfig(
            50, 5.0, 0.05, 0.0, 0.0, 42L, UserModel.DEFAULT.k(), UserModel.DEFAULT.threshold());

    public SimulationConfig {
        if (users <= 0) {
            throw new IllegalArgumentException("users must be positive: " + users);
        }
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("ratePerSecond must be positive and finite: " + ratePerSecond);
        }
        if (!(noise >= 0 && noise <= 1)) {
            throw new IllegalArgumentException("noise must be in [0, 1]: " + noise);
        }
        if (!(adversarialShare >= 0 && flooderShare >= 0 && adversarialShare + flooderShare <= 1)) {
            throw new IllegalArgumentException("shares must be non-negative and sum to at most 1: "
                    + adversarialShare + ", " + flooderShare);
        }
        new UserModel(k, threshold); // validates k and threshold where the config is made, not where it is used
    }

    public UserModel userModel() {
        return new UserModel(k, threshold);
    }
}
