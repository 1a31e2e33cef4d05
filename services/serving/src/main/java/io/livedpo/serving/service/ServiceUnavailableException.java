package io.livedpo.serving.service;

/** The request could not be served now (HTTP 503 with Retry-After, gRPC UNAVAILABLE). */
public final class ServiceUnavailableException extends RuntimeException {

    public ServiceUnavailableException(String message) {
        super(message);
    }
}
