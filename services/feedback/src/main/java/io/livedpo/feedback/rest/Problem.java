package io.livedpo.feedback.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem detail, plus {@code field} naming the offending request field when there is one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field) {

    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(int status, String reason, String title, String detail, String field) {
        return new Problem("urn:livedpo:problem:" + reason, title, status, detail, field);
    }
}
