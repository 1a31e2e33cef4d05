package io.livedpo.trainer.grpc;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.livedpo.trainer.config.TrainerConfig;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.transfer.ArchiveSignature;
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
 * The CheckpointStore gRPC service on a plain grpc-java server ({@code livedpo.trainer.store.port}, the HTTP port 8082
 * by default), started and stopped with the app, as serving's ModelControl is: so that one {@link GrpcTls} gives both
 * of the trainer↔serving servers the same mutual TLS. Every call passes the control-token interceptor; the
 * status-description limit wraps it all.
 */
@ApplicationScoped
public class StoreServer {

    private static final Logger LOG = Logger.getLogger(StoreServer.class);

    private final TrainerConfig.Store config;
    private final CheckpointStoreGrpcService service;
    private final StoreTokenInterceptor token;
    private final TrainerStatusLimit statusLimit;
    private final GrpcTls tls;
    private Server server;
    /** Keeps the server's TLS material current (re-read every refresh period); closed after the server stops. */
    private GrpcTls.Lease lease;

    public StoreServer(TrainerConfig config, CheckpointStore store, ArchiveSignature signer,
                       StoreTokenInterceptor token, TrainerStatusLimit statusLimit, GrpcTls tls) {
        this.config = config.store();
        this.service = new CheckpointStoreGrpcService(store, signer);
        this.token = token;
        this.statusLimit = statusLimit;
        this.tls = tls;
    }

    void start(@Observes StartupEvent event) {
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        lease = tls.lease();
        try {
            server = NettyServerBuilder.forAddress(address, lease.serverCredentials())
                    .addService(ServerInterceptors.intercept(service, token, statusLimit)).build().start();
        } catch (IOException e) {
            lease.close();
            throw new UncheckedIOException("cannot serve CheckpointStore on " + address, e);
        }
        LOG.infof("CheckpointStore listening on %s:%d (%s)", config.host(), server.getPort(), tls);
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
