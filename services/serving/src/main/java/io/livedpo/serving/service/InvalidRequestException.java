package io.livedpo.serving.service;

/** A request the client must fix (HTTP 400, gRPC INVALID_ARGUMENT); names the offending field. */
public final class InvalidRequestException extends RuntimeException {

    private final String field;

    public InvalidRequestException(String field, String detail) {
        super(detail);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
