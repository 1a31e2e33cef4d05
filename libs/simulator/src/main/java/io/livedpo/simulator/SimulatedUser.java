package io.livedpo.simulator;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A simulated user who rates answers by their {@link HiddenReward}. With probability {@code noise} a vote or choice
 * is a fair coin instead (users misclick, or do not care).
 */
public record SimulatedUser(String id, Kind kind, double noise, UserModel model) {

    /** How many feedback events a flooder sends per answer it sees; everyone else sends one. */
    public static final int FLOODER_VOTES_PER_ANSWER = 25;

    public enum Kind {
        /** Votes by the hidden reward. */
        NORMAL,
        /** Votes the opposite of the hidden reward: the poisoning the system must survive. */
        ADVERSARIAL_OPPOSITE,
        /** Votes like NORMAL, but sends many votes per answer: the feedback service must cap it. */
        FLOODER
    }

    public SimulatedUser {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(model, "model");
        if (!(noise >= 0 && noise <= 1)) {
            throw new IllegalArgumentException("noise must be in [0, 1]: " + noise);
        }
    }

    public int votesPerAnswer() {
        return kind == Kind.FLOODER ? FLOODER_VOTES_PER_ANSWER : 1;
    }

    /** P(UP) before noise: σ(k·(r − threshold)), inverted for adversarial users. */
    public double upProbability(Prompt prompt, String answer) {
        return orient(model.upProbability(HiddenReward.score(prompt, answer)));
    }

    /** P(a preferred) before noise, by Bradley–Terry: σ(k·(r_a − r_b)), inverted for adversarial users. */
    public double preferAProbability(Prompt prompt, String a, String b) {
        return orient(model.preferFirstProbability(HiddenReward.score(prompt, a), HiddenReward.score(prompt, b)));
    }

    public Vote thumbs(Prompt prompt, String answer, RandomGenerator rng) {
        return coin(upProbability(prompt, answer), rng) ? Vote.UP : Vote.DOWN;
    }

    public Choice choose(Prompt prompt, String a, String b, RandomGenerator rng) {
        return coin(preferAProbability(prompt, a, b), rng) ? Choice.A : Choice.B;
    }

    private double orient(double p) {
        return kind == Kind.ADVERSARIAL_OPPOSITE ? 1 - p : p;
    }

    private boolean coin(double p, RandomGenerator rng) {
        if (rng.nextDouble() < noise) {
            return rng.nextBoolean();
        }
        return rng.nextDouble() < p;
    }
}
