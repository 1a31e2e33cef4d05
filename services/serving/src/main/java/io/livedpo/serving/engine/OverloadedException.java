package io.livedpo.serving.engine;

/** The decode queue is full: the caller should come back later (HTTP 429, gRPC RESOURCE_EXHAUSTED). */
public final class OverloadedException extends RuntimeException {

    public OverloadedException(int queued) {
        super("server busy: " + queued + " requests already waiting");
    }
}
