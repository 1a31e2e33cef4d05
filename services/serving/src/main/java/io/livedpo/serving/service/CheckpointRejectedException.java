package io.livedpo.serving.service;

/** A pushed checkpoint failed verification or its canary; the active version is untouched. */
public final class CheckpointRejectedException extends RuntimeException {

    private final String outcome;

    public CheckpointRejectedException(String outcome, String reason) {
        super(reason);
        this.outcome = outcome;
    }

    /** A short label for metrics and the response: size, sha256, signature, base_model, load, canary. */
    public String outcome() {
        return outcome;
    }
}
