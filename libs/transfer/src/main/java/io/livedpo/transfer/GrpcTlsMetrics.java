package io.livedpo.transfer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@link GrpcTls}'s reloads on a service's metrics page, registered the same way by trainer and serving: a refused
 * reload (old material kept) is {@code livedpo_grpc_tls_reloads_total{outcome="failed"}}, and
 * {@code livedpo_grpc_tls_certificate_expiry_seconds} tells when the certificate in use runs out, so an alert sees a
 * renewal that never arrived. Apart from {@link GrpcTls} so that users without Micrometer (the CLI) never load it.
 */
public final class GrpcTlsMetrics {

    private GrpcTlsMetrics() {
    }

    /** Registers the meters when TLS is on; with it off there is nothing to report. */
    public static void bind(GrpcTls tls, MeterRegistry registry) {
        if (!tls.enabled()) {
            return;
        }
        String help = "reloads of changed gRPC TLS files: ok (taken into use) or failed (refused, the material in use"
                + " kept)";
        FunctionCounter.builder(GrpcTls.RELOADS_METRIC, tls, GrpcTls::reloads).tag("outcome", "ok")
                .description(help).register(registry);
        FunctionCounter.builder(GrpcTls.RELOADS_METRIC, tls, GrpcTls::reloadFailures).tag("outcome", "failed")
                .description(help).register(registry);
        Gauge.builder(GrpcTls.EXPIRY_METRIC, tls, t -> t.certificate()
                        .map(c -> c.getNotAfter().getTime() / 1000.0).orElse(Double.NaN))
                .baseUnit("seconds").description("expiry of the gRPC TLS certificate in use, seconds since the epoch")
                .register(registry);
    }
}
