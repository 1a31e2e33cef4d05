package io.livedpo.serving.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.livedpo.proto.ChatChunk;
import io.livedpo.proto.ChatResponse;
import io.livedpo.serving.service.ModelName;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Adds the {@code livedpo-model} response header to chat calls, as the REST API does. grpc-java sends a call's headers
 * just before its first message and offers services no way to add to them, so this holds the headers back until the
 * first message, whose {@code model} names the answering {@code policy@version}.
 */
@ApplicationScoped
public class ModelHeaderInterceptor implements ServerInterceptor {

    private static final Metadata.Key<String> MODEL = Metadata.Key.of(ModelName.HEADER,
            Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private Metadata held;

            @Override
            public void sendHeaders(Metadata outgoing) {
                held = outgoing;
            }

            @Override
            public void sendMessage(R message) {
                if (held != null) {
                    String model = message instanceof ChatResponse r ? r.getModel()
                            : message instanceof ChatChunk c ? c.getModel() : "";
                    if (!model.isEmpty()) {
                        held.put(MODEL, model);
                    }
                    super.sendHeaders(held);
                    held = null;
                }
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (held != null) {
                    super.sendHeaders(held);
                    held = null;
                }
                super.close(status, trailers);
            }
        }, headers);
    }
}
