package io.livedpo.feedback.streams;

/** One resolved side of an A/B choice, waiting for the other side, with the wall-clock time it started waiting. */
public record HeldHalf(Resolved resolved, long heldAtMs) {
}
