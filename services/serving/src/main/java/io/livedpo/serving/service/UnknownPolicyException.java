package io.livedpo.serving.service;

/** A request named a policy this replica does not serve (HTTP 404, gRPC NOT_FOUND). */
public final class UnknownPolicyException extends RuntimeException {

    public UnknownPolicyException(String policy) {
        super("unknown policy '" + policy + "'");
    }
}
