package io.livedpo.feedback.rest;

import io.livedpo.events.problem.Problem;
import io.livedpo.events.problem.ProblemType;
import java.time.Duration;

/**
 * Ends a request with a problem response. The type's slug is also the {@code livedpo_feedback_rejected_total}
 * tag; {@code retryAfter}, when set, becomes the Retry-After header.
 */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final transient ProblemType type;
    private final transient Duration retryAfter;

    ProblemException(ProblemType type, String detail, String field, Duration retryAfter) {
        super(detail);
        this.problem = Problem.of(type, detail, field);
        this.type = type;
        this.retryAfter = retryAfter;
    }

    static ProblemException invalid(String field, String detail) {
        return new ProblemException(ProblemType.INVALID, detail, field, null);
    }

    Problem problem() {
        return problem;
    }

    String reason() {
        return type.slug();
    }

    Duration retryAfter() {
        return retryAfter;
    }
}
