package io.livedpo.events.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;

/**
 * Makes every {@code # HELP} line one that {@code promtool check metrics} accepts: meters registered without a
 * description (the short {@code registry.counter(name, tags)} form) get theirs from {@link #HELP}, and double quotes,
 * which the text format cannot escape in help (Micrometer's CPU meters use them), become single quotes.
 * Each service registers it as a CDI {@code MeterFilter}.
 */
public final class PrometheusHelp implements MeterFilter {

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

    @Override
    public Meter.Id map(Meter.Id id) {
        String description = id.getDescription();
        if (description == null || description.isBlank()) {
            description = HELP.get(id.getName());
        } else if (description.indexOf('"') >= 0) {
            description = description.replace('"', '\'');
        } else {
            return id;
        }
        return description == null ? id
                : new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()),
                        id.getBaseUnit(), description, id.getType());
    }
}
