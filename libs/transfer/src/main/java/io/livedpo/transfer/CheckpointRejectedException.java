package io.livedpo.transfer;

/**
 * A checkpoint that arrived but must not serve (wrong size, hash, signature, base model, failed canary...): the
 * sender gets {@code FAILED_PRECONDITION} and does not retry, since the same bytes would get the same verdict.
 *
 * @see #reason()
 */
public class CheckpointRejectedException extends RuntimeException {

    private final String reason;

    public CheckpointRejectedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Short machine-readable cause ({@code sha256}, {@code signature}, {@code canary}...), used as a metric tag. */
    public String reason() {
        return reason;
    }
}
