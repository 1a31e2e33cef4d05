package io.livedpo.prometheus;

import java.util.Set;

/** What the integration test needs to know about deploy/grafana/dashboards/livedpo.json. */
final class Dashboard {

    /**
     * Panels that must show data once the loop ran a few minutes with users voting and a checkpoint written. The
     * others stay empty in a healthy short run (rollbacks, dead letters, the regression z score with one version...).
     */
    static final Set<String> CORE_PANELS = Set.of(
            "Chat requests/s by outcome",
            "Error ratio (SLO: 99.5 % succeed)",
            "Request duration p50 / p95 / p99",
            "Time to first token p50 / p95",
            "Generated tokens/s",
            "Mean batch size",
            "Active version per replica",
            "Build per process",
            "Thumbs-up rate per version (learning curve, 95 % Wilson band)",
            "Votes per version",
            "DPO loss",
            "Pairs/s: made by feedback, trained by the trainer",
            "Checkpoint age",
            "Consumer lag per partition (KEDA's number)");

    private Dashboard() {
    }

    /** The query as Grafana sends it with the policy variable at "All" and a 1 min rate interval. */
    static String concrete(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$policy", ".*");
    }
}
