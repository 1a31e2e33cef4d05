package io.livedpo.serving.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.livedpo.serving.config.ServingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The control plane's guard: every ModelControl call needs {@code authorization: Bearer <token>}. */
@ApplicationScoped
public class ControlTokenInterceptor implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final byte[] expected;

    public ControlTokenInterceptor(ServingConfig config) {
        // No token configured means no caller can be trusted: every call is refused.
        this.expected = config.control().token().map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8))
                .orElse(null);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String presented = headers.get(AUTHORIZATION);
        if (expected == null || presented == null
                || !MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8))) {
            call.close(Status.UNAUTHENTICATED.withDescription("a valid control-plane bearer token is required"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }
}
