package io.livedpo.feedback.streams;

/** The outcome of reading one input record: a value, or the raw bytes and why they are poison. */
record Decoded<T>(T value, byte[] raw, String reason) {

    boolean failed() {
        return reason != null;
    }
}
