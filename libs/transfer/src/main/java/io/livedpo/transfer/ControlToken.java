package io.livedpo.transfer;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The control-plane bearer token trainer and serving share: every ModelControl and CheckpointStore call carries
 * {@code authorization: Bearer <token>}, and the server compares it in constant time so timing does not reveal it.
 * Subclasses exist only to be CDI beans that a framework can register as the server's interceptor.
 */
public class ControlToken implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final byte[] expected;

    /** No token configured means no caller can be trusted: every call is refused. */
    public ControlToken(Optional<String> token) {
        this.expected = token.filter(t -> !t.isEmpty()).map(t -> header(t).getBytes(StandardCharsets.UTF_8))
                .orElse(null);
    }

    /** Attaches the token to a client's calls; with no token the calls go without one (and are refused). */
    public static ClientInterceptor attach(Optional<String> token) {
        Metadata headers = new Metadata();
        token.ifPresent(t -> headers.put(AUTHORIZATION, header(t)));
        return MetadataUtils.newAttachHeadersInterceptor(headers);
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

    private static String header(String token) {
        return "Bearer " + token;
    }
}
