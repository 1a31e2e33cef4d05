package io.livedpo.feedback.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code livedpo_feedback_version_parent{policy,version,parent} 1}: for each model version users voted on, the
 * version voted on before it. Prometheus cannot do arithmetic on labels, so the learning-regression rule needs this
 * pairing spelled out to compare a version's thumbs-up rate with its parent's. Rebuilt from votes after a restart.
 */
public final class VersionParents {

    private final MultiGauge gauge;
    private final Map<String, TreeSet<Long>> versions = new HashMap<>();

    public VersionParents(MeterRegistry registry) {
        this.gauge = MultiGauge.builder("livedpo.feedback.version.parent")
                .description("1 for each voted model version and the version voted on before it").register(registry);
    }

    /** A vote judged {@code version} of {@code policy}. */
    public synchronized void voted(String policy, long version) {
        if (versions.computeIfAbsent(policy, p -> new TreeSet<>()).add(version)) {
            publish();
        }
    }

    private void publish() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        versions.forEach((policy, seen) -> seen.forEach(v -> {
            Long parent = seen.lower(v);
            if (parent != null) {
                rows.add(MultiGauge.Row.of(Tags.of("policy", policy, "version", String.valueOf(v),
                        "parent", String.valueOf(parent)), 1));
            }
        }));
        gauge.register(rows, true);
    }
}
