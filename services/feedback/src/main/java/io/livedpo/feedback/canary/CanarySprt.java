package io.livedpo.feedback.canary;

/**
 * The live canary's sequential test: Wald's SPRT on the difference of thumbs-up rates, candidate minus parent, checked
 * after every vote. A non-inferiority design, because a continuously learning policy improves in small steps that no
 * test could tell from zero in reasonable time, while a regression is what must not reach everyone:
 * <ul>
 *   <li>H0 (roll back): Δ = p<sub>candidate</sub> − p<sub>parent</sub> = −δ, the candidate is worse by the effect;</li>
 *   <li>H1 (promote): Δ = 0, the candidate is as good as its parent (or better: the test promotes even faster).</li>
 * </ul>
 * α = P(promote | Δ = −δ), the harmful error; β = P(roll back | Δ = 0), the wasted version.
 *
 * <p>Statistic: with p̂ the observed rates and information I = 1 / (p̃<sub>c</sub>(1−p̃<sub>c</sub>)/n<sub>c</sub> +
 * p̃<sub>p</sub>(1−p̃<sub>p</sub>)/n<sub>p</sub>) (p̃ = (ups+1)/(n+2), so no arm has zero variance), the score
 * Z = Δ̂·I is approximately Brownian motion with drift Δ in information time (Jennison &amp; Turnbull, ch. 3 and 13),
 * whatever the arms' sizes: the unequal split of a canary is accounted for. Its log-likelihood ratio of H1 to H0 is
 * (θ1−θ0)Z − (θ1²−θ0²)I/2 = δ·I·(Δ̂ + δ/2). The candidate is promoted when it reaches log((1−β)/α) and rolled back
 * when it falls to log(β/(1−α)), Wald's bounds. Peeking is what the SPRT is for: the bounds hold for a test checked
 * after every observation, with the overshoot of discrete looks making it slightly conservative; the error rates are
 * checked by simulation in {@code CanarySprtTest}. No decision before {@code minVotes} per arm, where the normal
 * approximation is poor.
 *
 * <p>A/B choices between the parent's and the candidate's answer to one prompt are a second, independent stream of
 * evidence: if users pick the answer they would give a thumbs-up (a tie split evenly), the candidate wins with
 * probability w = ½ + Δ/2, so the same hypotheses read w = ½ − δ/2 (H0) and w = ½ (H1), whose exact Bernoulli
 * log-likelihood ratio adds to the thumbs one: the sum is the joint data's ratio, tested against the same bounds.
 */
public record CanarySprt(double alpha, double beta, double effect, int minVotes) {

    public CanarySprt {
        if (!(alpha > 0 && alpha < 0.5) || !(beta > 0 && beta < 0.5)) {
            throw new IllegalArgumentException("alpha and beta must be in (0, 0.5), got " + alpha + ", " + beta);
        }
        if (!(effect > 0 && effect < 1)) {
            throw new IllegalArgumentException("effect must be in (0, 1), got " + effect);
        }
        if (minVotes < 1) {
            throw new IllegalArgumentException("minVotes must be >= 1, got " + minVotes);
        }
    }

    /** What the evidence says so far. */
    public enum Outcome { PROMOTE, ROLLBACK, CONTINUE }

    /** The outcome and the statistic it was read from. */
    public record Verdict(Outcome outcome, double logLikelihoodRatio) {
    }

    /** log((1−β)/α): at or above it, the candidate is promoted. */
    public double upperBound() {
        return Math.log((1 - beta) / alpha);
    }

    /** log(β/(1−α)): at or below it, the candidate is rolled back. */
    public double lowerBound() {
        return Math.log(beta / (1 - alpha));
    }

    /** The A/B choices' log-likelihood ratio: wins·ln(½ / (½−δ/2)) + losses·ln(½ / (½+δ/2)). */
    public double choicesLogLikelihoodRatio(long choices, long candidateWins) {
        return candidateWins * Math.log(0.5 / (0.5 - effect / 2))
                + (choices - candidateWins) * Math.log(0.5 / (0.5 + effect / 2));
    }

    /** δ·I·(Δ̂ + δ/2) of the thumbs votes; 0 while an arm has no votes. */
    public double logLikelihoodRatio(long candidateVotes, long candidateUps, long parentVotes, long parentUps) {
        if (candidateVotes == 0 || parentVotes == 0) {
            return 0;
        }
        double delta = (double) candidateUps / candidateVotes - (double) parentUps / parentVotes;
        double variance = variance(candidateVotes, candidateUps) + variance(parentVotes, parentUps);
        return effect / variance * (delta + effect / 2);
    }

    public Verdict evaluate(long candidateVotes, long candidateUps, long parentVotes, long parentUps) {
        return evaluate(candidateVotes, candidateUps, parentVotes, parentUps, 0, 0);
    }

    /**
     * Thumbs and A/B evidence together: the thumbs term counts once each arm has {@code minVotes}, the choices term
     * from the first choice; a decision needs either {@code minVotes} per thumbs arm or {@code minVotes} choices.
     */
    public Verdict evaluate(long candidateVotes, long candidateUps, long parentVotes, long parentUps, long choices,
                            long candidateWins) {
        boolean thumbsReady = candidateVotes >= minVotes && parentVotes >= minVotes;
        double llr = (thumbsReady ? logLikelihoodRatio(candidateVotes, candidateUps, parentVotes, parentUps) : 0)
                + choicesLogLikelihoodRatio(choices, candidateWins);
        if (!thumbsReady && choices < minVotes) {
            return new Verdict(Outcome.CONTINUE, llr);
        }
        if (llr >= upperBound()) {
            return new Verdict(Outcome.PROMOTE, llr);
        }
        if (llr <= lowerBound()) {
            return new Verdict(Outcome.ROLLBACK, llr);
        }
        return new Verdict(Outcome.CONTINUE, llr);
    }

    private static double variance(long votes, long ups) {
        double p = (ups + 1.0) / (votes + 2.0);
        return p * (1 - p) / votes;
    }
}
