package io.livedpo.feedback.streams;

/**
 * A lower bound, kept in memory, of the times in one store that its wall-clock sweep compares with a cutoff (an
 * entry is swept when its time is before the cutoff). A sweep that the bound shows has nothing to do is skipped
 * instead of reading and decoding the whole store, which otherwise costs every punctuation in proportion to the
 * state held, not to what expired. Unknown after (re)start and on a task's new instance: the first sweep scans.
 */
final class OldestEntry {

    private long oldestMs = Long.MIN_VALUE;

    /** Whether a sweep with this cutoff may find something: false only when no entry can be older. */
    boolean anyBefore(long cutoffMs) {
        return oldestMs < cutoffMs;
    }

    /** An entry with this time was written. */
    void added(long timeMs) {
        oldestMs = Math.min(oldestMs, timeMs);
    }

    /** A sweep read the whole store: {@code oldestMs} is its oldest remaining time, {@link Long#MAX_VALUE} if none. */
    void swept(long oldestRemainingMs) {
        oldestMs = oldestRemainingMs;
    }
}
