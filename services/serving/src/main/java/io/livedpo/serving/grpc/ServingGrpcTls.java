package io.livedpo.serving.grpc;

import io.livedpo.transfer.GrpcTls;
import io.livedpo.transfer.GrpcTlsMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/**
 * Serving's side of {@code livedpo.grpc.tls.*} (declared once, in {@link GrpcTls}, for both services): ModelControl's
 * server and the catch-up client of the trainer's checkpoint store. Built when ModelControl starts, so a missing or
 * wrong file fails start-up naming it. Its reloads (rotation without restart) are on the metrics page.
 */
@ApplicationScoped
public class ServingGrpcTls {

    @Produces
    @Singleton
    GrpcTls tls(Config config, MeterRegistry registry) {
        GrpcTls tls = GrpcTls.from(name -> config.getOptionalValue(name, String.class));
        GrpcTlsMetrics.bind(tls, registry);
        return tls;
    }
}
