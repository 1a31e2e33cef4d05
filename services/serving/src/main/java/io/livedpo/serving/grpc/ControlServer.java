package io.livedpo.serving.grpc;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.serving.metrics.ModelVersionMetrics;
import io.livedpo.serving.service.CheckpointInstaller;
import io.livedpo.serving.service.PolicyRegistry;
import io.livedpo.transfer.GrpcTls;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * ModelControl on a port of its own ({@code livedpo.serving.control.port}), so a NetworkPolicy can open it to trainer
 * pods alone while the chat API stays public. Quarkus serves every {@code @GrpcService} on one server, hence this
 * plain grpc-java server, owned here: started when the app starts, stopped when it stops. Every call passes the
 * control-token interceptor first; the status-description limit wraps it all (Quarkus's global interceptors do not
 * reach this server). With {@code livedpo.grpc.tls.enabled} it is mutual TLS ({@link GrpcTls}): a caller without a
 * certificate from the trust bundle is refused in the handshake, and the token is still required.
 */
@ApplicationScoped
public class ControlServer {

    private static final Logger LOG = Logger.getLogger(ControlServer.class);
    /** Checkpoint chunks are ≤ 1 MiB plus framing; the header is small. */
    private static final int MAX_INBOUND_BYTES = 4 * 1024 * 1024;

    private final ServingConfig.Control config;
    private final ModelControlGrpcService service;
    private final ControlTokenInterceptor token;
    private final ServingStatusLimit statusLimit;
    private final GrpcTls tls;
    private Server server;
    /** Keeps the server's TLS material current (re-read every refresh period); closed after the server stops. */
    private GrpcTls.Lease lease;

    public ControlServer(ServingConfig config, CheckpointInstaller installer, PolicyRegistry registry,
                         ModelVersionMetrics metrics, ControlTokenInterceptor token, ServingStatusLimit statusLimit,
                         GrpcTls tls) {
        this.config = config.control();
        this.service = new ModelControlGrpcService(installer, registry, metrics);
        this.token = token;
        this.statusLimit = statusLimit;
        this.tls = tls;
    }

    void start(@Observes StartupEvent event) {
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        lease = tls.lease();
        try {
            server = NettyServerBuilder.forAddress(address, lease.serverCredentials())
                    .maxInboundMessageSize(MAX_INBOUND_BYTES).addService(ServerInterceptors.intercept(service, token, statusLimit)).build().start();
        } catch (IOException e) {
            lease.close();
            throw new UncheckedIOException("cannot serve ModelControl on " + address, e);
        }
        LOG.infof("ModelControl listening on %s:%d (%s)", config.host(), server.getPort(), tls);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (server != null) {
            server.shutdown();
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        }
        if (lease != null) {
            lease.close();
        }
    }

    /** The bound port: the configured one, or the one the OS chose for port 0 (tests). */
    public int port() {
        return server.getPort();
    }
}
