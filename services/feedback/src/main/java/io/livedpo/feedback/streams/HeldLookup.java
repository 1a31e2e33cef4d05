package io.livedpo.feedback.streams;

/** A lookup whose response has not arrived yet, with the wall-clock time it started waiting. */
public record HeldLookup(Lookup lookup, long heldAtMs) {
}
