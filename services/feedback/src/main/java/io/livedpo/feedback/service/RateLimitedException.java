package io.livedpo.feedback.service;

import java.time.Duration;

/** A client sent feedback faster than its token bucket refills; nothing was recorded. */
public class RateLimitedException extends RuntimeException {

    private final transient Duration retryAfter;

    public RateLimitedException(ClientIdentity client, Duration retryAfter) {
        super("Too much feedback from " + (client.named() ? "this user" : "this address")
                + "; retry after the Retry-After delay");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
