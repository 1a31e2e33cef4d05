package io.livedpo.transfer;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Bounds the description of every status a server sends. Descriptions often quote the caller's input ("unknown policy
 * '…'"); one that quotes 70,000 characters travels in the {@code grpc-message} trailer, over the client's 8 KiB
 * metadata limit, and the client sees INTERNAL instead of the real code. Cut to {@value #MAX_CHARS} characters
 * (percent-encoded, at most about 3 KiB), the code and the start of the message survive.
 */
public class StatusDescriptionLimit implements ServerInterceptor {

    public static final int MAX_CHARS = 512;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                        ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                super.close(bounded(status), trailers);
            }
        }, headers);
    }

    static Status bounded(Status status) {
        String description = status.getDescription();
        if (description == null || description.length() <= MAX_CHARS) {
            return status;
        }
        int end = Character.isHighSurrogate(description.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
        return status.withDescription(description.substring(0, end) + "… (" + description.length() + " characters)");
    }
}
