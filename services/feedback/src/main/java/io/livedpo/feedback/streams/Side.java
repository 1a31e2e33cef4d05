package io.livedpo.feedback.streams;

/** Which response of a feedback event a lookup is for. */
public enum Side {
    /** The one response of a thumbs vote. */
    RATED,
    CHOSEN,
    REJECTED
}
