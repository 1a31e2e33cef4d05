package io.livedpo.local;

import java.time.Duration;
import java.time.Instant;

/**
 * One fault as it happened: the phase runs from {@code start} (just before the fault) to {@code end} (after the
 * recovery was held under load); the component was down from {@code downFrom} until it was ready again at
 * {@code downTo}.
 *
 * @param downReplica the serving replica that was down (its URL), or null when no replica was
 */
public record FaultPhase(Fault fault, Instant start, Instant downFrom, Instant downTo, Instant end,
                         String downReplica) {

    public boolean contains(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }

    public Duration length() {
        return Duration.between(start, end);
    }

    public Duration down() {
        return Duration.between(downFrom, downTo);
    }
}
