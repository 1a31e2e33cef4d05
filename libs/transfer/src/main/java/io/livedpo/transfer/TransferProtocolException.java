package io.livedpo.transfer;

/** A stream that breaks the framing (no header, two headers, oversize chunk, more bytes than announced). */
public final class TransferProtocolException extends RuntimeException {

    public TransferProtocolException(String message) {
        super(message);
    }
}
