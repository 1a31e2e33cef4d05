package io.livedpo.local;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: the only way the stack waits for another process. */
final class Poll {

    private static final Duration POLL = Duration.ofMillis(200);

    private Poll() {
    }

    /**
     * @param failure checked on every poll; a non-null answer (a child died, say) fails at once with that message
     */
    static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> failure) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            String failed = failure.get();
            if (failed != null) {
                throw new IllegalStateException(what + ": " + failed);
            }
            if (condition.getAsBoolean()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(what + ": not within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(POLL.toMillis()); // the poll interval, not a synchronisation: the loop checks the state
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(what + ": interrupted", e);
            }
        }
    }
}
