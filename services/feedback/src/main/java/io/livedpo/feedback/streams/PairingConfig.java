package io.livedpo.feedback.streams;

import java.time.Duration;

/**
 * Knobs of the pairing topology.
 *
 * @param responseRetention how long responses stay joinable, and how long emitted pair ids are remembered
 * @param feedbackGrace how long feedback waits for a response that has not arrived yet
 * @param pairingWindow two opposite thumbs pair only if their feedback times are at most this far apart
 * @param maxPairsPerPrompt thumbs pairs one prompt may yield per pairing window
 * @param maxPairsPerUser pairs one user may contribute per {@code userCapWindow}
 * @param userCapWindow the tumbling window of {@code maxPairsPerUser}
 * @param punctuateInterval how often (wall-clock) expired state is swept
 */
public record PairingConfig(
        Duration responseRetention,
        Duration feedbackGrace,
        Duration pairingWindow,
        int maxPairsPerPrompt,
        int maxPairsPerUser,
        Duration userCapWindow,
        Duration punctuateInterval) {

    public static PairingConfig defaults() {
        return new PairingConfig(Duration.ofDays(7), Duration.ofMinutes(5), Duration.ofHours(1), 16, 100,
                Duration.ofHours(1), Duration.ofSeconds(10));
    }
}
