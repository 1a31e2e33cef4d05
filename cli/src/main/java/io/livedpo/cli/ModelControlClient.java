package io.livedpo.cli;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.transfer.GrpcTls;
import java.net.URI;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** A ModelControl channel to one serving replica, with the control-plane bearer token on every call. */
final class ModelControlClient implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    /** The TLS material of the channel, when {@code tls} is on; closed with it. */
    private final GrpcTls.Lease lease;
    private final ModelControlGrpc.ModelControlBlockingStub stub;

    /**
     * {@code replica}: {@code host:port}, {@code http://host:port} (plaintext) or {@code https://host:port} (TLS, the
     * system's trust); with {@code tls} on, mutual TLS with its certificate and trust bundle whatever the scheme.
     */
    ModelControlClient(String replica, String token, GrpcTls tls, long deadlineSeconds) {
        URI uri = URI.create(replica.contains("://") ? replica : "http://" + replica);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new BadInputException("--serving " + replica + ": expected host:port or http(s)://host:port");
        }
        this.lease = tls.lease();
        if (tls.enabled()) {
            this.channel = lease.channel(uri.getHost() + ":" + uri.getPort()).build();
        } else {
            ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forAddress(uri.getHost(), uri.getPort());
            this.channel = ("https".equals(uri.getScheme()) ? builder.useTransportSecurity() : builder.usePlaintext())
                    .build();
        }
        this.stub = ModelControlGrpc.newBlockingStub(channel).withCallCredentials(bearer(token))
                .withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS);
    }

    ModelControlGrpc.ModelControlBlockingStub stub() {
        return stub;
    }

    private static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(AUTHORIZATION, "Bearer " + token);
                applier.apply(headers);
            }
        };
    }

    /** A short, stable description of a failed call for the JSON output: the status code and its description. */
    static String describe(RuntimeException e) {
        Status s = Status.fromThrowable(e);
        return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lease.close();
        }
    }
}
