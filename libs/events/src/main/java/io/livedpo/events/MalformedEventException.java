package io.livedpo.events;

import org.apache.kafka.common.errors.SerializationException;

/** Bytes that are not a valid event of the expected type; the message says which type and why. */
public class MalformedEventException extends SerializationException {

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
