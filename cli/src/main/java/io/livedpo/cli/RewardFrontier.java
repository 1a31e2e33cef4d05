package io.livedpo.cli;

/**
 * What any recipe could reach from a base policy at a given KL, estimated from {@code n} answers sampled per prompt:
 * the users' expected thumbs-up of best-of-m selection (KL at most ln m − (m − 1)/m) and of the KL-optimal policy
 * π_ref · exp(r/β) / Z, the optimum DPO at that β converges to with unlimited votes. Self-normalized over the
 * samples, so its KL is capped at ln n: read the tilted points only where KL stays well below that.
 */
final class RewardFrontier {

    /** {@code reward[prompt][sample]}: the hidden reward; {@code up[prompt][sample]}: the users' vote-up chance. */
    private final double[][] reward;
    private final double[][] up;

    RewardFrontier(double[][] reward, double[][] up) {
        if (reward.length == 0 || reward.length != up.length) {
            throw new IllegalArgumentException("one row of rewards and of thumbs-up chances per prompt");
        }
        for (int i = 0; i < reward.length; i++) {
            if (reward[i].length == 0 || reward[i].length != up[i].length) {
                throw new IllegalArgumentException("prompt " + i + ": as many rewards as thumbs-up chances, at least one");
            }
        }
        this.reward = reward;
        this.up = up;
    }

    record Point(String kind, double parameter, double kl, double thumbsUp) {
    }

    int samplesPerPrompt() {
        return reward[0].length;
    }

    /**
     * Best of {@code m}: the samples of each prompt cut into disjoint groups of m, the best-rewarded of each group
     * taken, averaged; KL is the closed-form bound ln m − (m − 1)/m.
     */
    Point bestOf(int m) {
        if (m < 1 || m > samplesPerPrompt()) {
            throw new IllegalArgumentException("best-of-" + m + " needs 1.." + samplesPerPrompt() + " samples");
        }
        double total = 0;
        for (int i = 0; i < reward.length; i++) {
            int groups = reward[i].length / m;
            double sum = 0;
            for (int g = 0; g < groups; g++) {
                int best = g * m;
                for (int k = g * m + 1; k < (g + 1) * m; k++) {
                    if (reward[i][k] > reward[i][best]) {
                        best = k;
                    }
                }
                sum += up[i][best];
            }
            total += sum / groups;
        }
        return new Point("best-of", m, Math.log(m) - (m - 1.0) / m, total / reward.length);
    }

    /** π_ref · exp(r/β) / Z over each prompt's samples: its KL from the base and its expected thumbs-up. */
    Point tilted(double beta) {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("beta must be positive: " + beta);
        }
        double kl = 0;
        double thumbs = 0;
        for (int i = 0; i < reward.length; i++) {
            int n = reward[i].length;
            double max = Double.NEGATIVE_INFINITY;
            for (double r : reward[i]) {
                max = Math.max(max, r / beta);
            }
            double[] w = new double[n];
            double z = 0;
            for (int k = 0; k < n; k++) {
                w[k] = Math.exp(reward[i][k] / beta - max); // shifted by the max: no overflow
                z += w[k];
            }
            for (int k = 0; k < n; k++) {
                double p = w[k] / z;
                if (p > 0) {
                    kl += p * Math.log(p * n); // against the base's uniform 1/n over its own samples
                }
                thumbs += p * up[i][k];
            }
        }
        return new Point("tilted", beta, kl / reward.length, thumbs / reward.length);
    }
}
