package io.livedpo.policy.checkpoint;

import java.io.IOException;

/**
 * A checkpoint that must not be used: corrupt, tampered with, for another base model, or in a layout we cannot load.
 * Checked, and an {@link IOException}, because it is a problem with data on disk that callers already handle as I/O.
 */
public class CheckpointException extends IOException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
