package io.livedpo.feedback.streams;

/** Pairs one user contributed in the tumbling window starting at {@code startMs}. */
public record UserWindow(long startMs, int pairs) {
}
