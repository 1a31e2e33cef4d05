package io.livedpo.feedback.rest;

import java.time.Duration;

/**
 * Ends a request with a problem response. {@code reason} is also the {@code livedpo_feedback_rejected_total}
 * tag; {@code retryAfter}, when set, becomes the Retry-After header.
 */
public class ProblemException extends RuntimeException {

    private final Problem problem;
    private final String reason;
    private final Duration retryAfter;

    ProblemException(int status, String reason, String title, String detail, String field, Duration retryAfter) {
        super(detail);
        this.problem = Problem.of(status, reason, title, detail, field);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    static ProblemException invalid(String field, String detail) {
        return new ProblemException(400, "invalid", "Invalid request", detail, field, null);
    }

    Problem problem() {
        return problem;
    }

    String reason() {
        return reason;
    }

    Duration retryAfter() {
        return retryAfter;
    }
}
