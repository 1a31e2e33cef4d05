package io.livedpo.events.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code livedpo_build_info{service,version} 1}: which build each scraped process runs, so dashboards and alerts can
 * join on it and a half-finished rollout shows as two versions of one service.
 */
public final class BuildInfo {

    public static final String NAME = "livedpo.build.info";

    private BuildInfo() {
    }

    public static void register(MeterRegistry registry, String service, String version) {
        Gauge.builder(NAME, () -> 1).description("1 for the build this process runs")
                .tags("service", service, "version", version).strongReference(true).register(registry);
    }
}
