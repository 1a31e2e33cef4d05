package io.livedpo.events.problem;

/**
 * Every RFC 9457 problem type the services answer with, declared once. The type URI is a URN, not an https URL:
 * nothing is served at a livedpo address, and RFC 9457 (3.1.1) allows a non-resolvable URI. The slug doubles as the
 * {@code reason} tag of the services' rejection counters.
 */
public enum ProblemType {
    INVALID(400, "invalid", "Invalid request"),
    NOT_FOUND(404, "not_found", "Not found"),
    VERSION_NOT_LOADED(404, "version_not_loaded", "Model version not loaded"),
    TOO_LARGE(413, "too_large", "Request body too large"),
    IDEMPOTENCY_CONFLICT(422, "idempotency_conflict", "Idempotency-Key reused"),
    RATE_LIMITED(429, "rate_limited", "Too many requests"),
    OVERLOADED(429, "overloaded", "Server busy"),
    UNAVAILABLE(503, "unavailable", "Service unavailable");

    public static final String URI_PREFIX = "urn:livedpo:problem:";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String uri() {
        return URI_PREFIX + slug;
    }
}
