package io.livedpo.events.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Map;
import java.util.Set;

/**
 * Makes each service's {@code /q/metrics} page one that {@code promtool check metrics} finds nothing on, for LiveDPO's
 * meters and the upstream ones (JVM, Netty, Vert.x, Kafka clients) alike. Each service registers it as a CDI
 * {@code MeterFilter}.
 * <ul>
 *   <li>Help: a meter registered without a description (LiveDPO's short {@code registry.counter(name, tags)} form,
 *       Netty's and Vert.x's pools) gets one, from {@link #HELP} or derived from its name; double quotes, which the
 *       text format cannot escape in help (Micrometer's CPU meters use them), become single quotes.</li>
 *   <li>Units: meters in nano- or milliseconds (Kafka clients' {@code *-time-ns-*}, {@code start-time-ms}, the
 *       process CPU time) are dropped. A filter can rename but not rescale, and promtool wants base units; what they
 *       tell is also exported in base units ({@code kafka_*_io_ratio}, {@code process_cpu_usage}).</li>
 *   <li>Gauges named {@code *.count} ({@code system.cpu.count}, Kafka's {@code connection-count}) read as a summary's
 *       count to Prometheus: they become the plural ({@code system_cpus}, {@code kafka_consumer_connections}).</li>
 *   <li>Long task timers (Vert.x's {@code http.server.connections}) are dropped: the registry writes their samples
 *       ({@code _active_count}, {@code _duration_sum}) under names outside their family, which promtool reads as
 *       metrics without help; {@code http_server_active_requests} still shows the load.</li>
 * </ul>
 */
public final class PrometheusNaming implements MeterFilter {

    /** Help for LiveDPO meters that are registered without a description, by Micrometer name. */
    static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("livedpo.serving.requests", "chat requests by outcome (ok, invalid, not_found, timeout,"
                    + " overloaded, error)"),
            Map.entry("livedpo.serving.model.swaps", "checkpoint installs by outcome: ok or the rejection reason"),
            Map.entry("livedpo_feedback_events", "valid feedback events read, by rating (up, down, pairwise)"),
            Map.entry("livedpo_feedback_pairs", "preference pairs emitted, by source (thumbs, pairwise)"),
            Map.entry("livedpo_feedback_rejected", "feedback or pairs dropped on purpose, by reason"),
            Map.entry("livedpo_feedback_votes", "votes joined with their response, by policy, model version and"
                    + " rating"),
            Map.entry("livedpo.trainer.loss", "DPO loss of the policy's latest applied step"),
            Map.entry("livedpo.trainer.reward.accuracy", "share of pairs in the latest step whose chosen answer has"
                    + " the higher implicit reward"),
            Map.entry("livedpo.trainer.reward.margin", "mean implicit reward margin (chosen - rejected) of the latest"
                    + " step"),
            Map.entry("livedpo.trainer.kl", "KL estimate of the latest checkpoint to the reference model"));

    /** Name words and base units that promtool flags as abbreviated or non-base units. */
    private static final Set<String> SUB_UNITS = Set.of("ns", "ms", "us", "nanoseconds", "milliseconds",
            "microseconds");

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        if (id.getType() == Meter.Type.LONG_TASK_TIMER) {
            return MeterFilterReply.DENY;
        }
        if (id.getBaseUnit() != null && SUB_UNITS.contains(id.getBaseUnit())) {
            return MeterFilterReply.DENY;
        }
        for (String word : id.getName().split("[._-]")) {
            if (SUB_UNITS.contains(word)) {
                return MeterFilterReply.DENY;
            }
        }
        return MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        String name = id.getName();
        if (id.getType() == Meter.Type.GAUGE && name.endsWith(".count")) {
            name = name.substring(0, name.length() - ".count".length()) + "s";
        }
        String description = id.getDescription();
        if (description == null || description.isBlank()) {
            description = HELP.getOrDefault(id.getName(), derivedHelp(name));
        } else {
            description = description.replace('"', '\'');
        }
        if (name.equals(id.getName()) && description.equals(id.getDescription())) {
            return id;
        }
        return new Meter.Id(name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }

    /** "netty.allocator.memory.used" → "netty allocator memory used (upstream meter, no description given)". */
    static String derivedHelp(String name) {
        return name.replaceAll("[._-]", " ") + " (upstream meter, no description given)";
    }
}
