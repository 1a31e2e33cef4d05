package io.livedpo.serving.metrics;

import io.livedpo.events.metrics.PrometheusNaming;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Serving's meter filters: help texts promtool accepts ({@link PrometheusNaming}), and the latency SLO's threshold as
 * an exact histogram bucket ({@code le="2.0"}) of time to first token, so the SLO ratio in deploy/prometheus is
 * counted, not interpolated between Micrometer's default buckets.
 */
@Singleton
public class MeterFilters {

    /** The latency SLO: a chat request's first token within this long (docs/OPERATIONS.md, "SLOs"). */
    public static final Duration TIME_TO_FIRST_TOKEN_OBJECTIVE = Duration.ofSeconds(2);

    @Produces
    @Singleton
    public MeterFilter prometheusHelp() {
        return new PrometheusNaming();
    }

    /** Adds the latency SLO's threshold as an exact bucket to time to first token. */
    @Produces
    @Singleton
    public MeterFilter timeToFirstTokenObjective() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals("livedpo.serving.time.to.first.token")) {
                    return config;
                }
                // Timer buckets are in nanoseconds; Prometheus shows them in seconds.
                return DistributionStatisticConfig.builder()
                        .serviceLevelObjectives(TIME_TO_FIRST_TOKEN_OBJECTIVE.toNanos()).build().merge(config);
            }
        };
    }
}
