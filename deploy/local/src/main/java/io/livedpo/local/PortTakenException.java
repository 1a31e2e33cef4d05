package io.livedpo.local;

/** A port the stack needs is already bound; the message names the option that moves it (a usage error: exit 2). */
public final class PortTakenException extends IllegalArgumentException {

    public PortTakenException(String message) {
        super(message);
    }
}
