package io.livedpo.feedback.metrics;

import io.livedpo.events.CanaryDecision;
import io.livedpo.feedback.canary.CanaryTally;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live canary as Prometheus sees it, per policy: the experiment now judged (candidate version, votes and
 * thumbs-up rate per arm, the test statistic) and a counter of decisions. Gauges show the newest experiment only, so
 * their series do not grow with every version.
 */
public final class CanaryMetrics {

    private final MeterRegistry registry;
    private final Map<String, Evidence> latest = new ConcurrentHashMap<>();

    private record Evidence(CanaryTally tally, double logLikelihoodRatio) {
    }

    public CanaryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void evidence(CanaryTally tally, double logLikelihoodRatio) {
        if (latest.put(tally.policy(), new Evidence(tally, logLikelihoodRatio)) == null) {
            register(tally.policy());
        }
    }

    public void decided(CanaryDecision d) {
        io.micrometer.core.instrument.Counter.builder("livedpo_feedback_canary_decisions")
                .description("live canaries decided and announced, by action and reason")
                .tags("policy", d.policy(), "action", d.action().name().toLowerCase(Locale.ROOT), "reason", d.reason())
                .register(registry).increment();
    }

    private void register(String policy) {
        Gauge.builder("livedpo_feedback_canary_candidate_version", latest, m -> m.get(policy).tally().candidate())
                .description("version on trial in the newest live canary of the policy").tags("policy", policy)
                .register(registry);
        Gauge.builder("livedpo_feedback_canary_log_likelihood_ratio", latest,
                        m -> m.get(policy).logLikelihoodRatio())
                .description("the live canary's SPRT statistic; promote at or above its upper bound, roll back at"
                        + " or below its lower one").tags("policy", policy).register(registry);
        for (String arm : new String[] {"candidate", "parent"}) {
            boolean candidate = arm.equals("candidate");
            Gauge.builder("livedpo_feedback_canary_votes", latest, m -> candidate
                            ? m.get(policy).tally().candidateVotes() : m.get(policy).tally().parentVotes())
                    .description("thumbs votes tallied in the newest live canary, per arm")
                    .tags("policy", policy, "arm", arm).register(registry);
            Gauge.builder("livedpo_feedback_canary_thumbs_up_ratio", latest, m -> {
                        CanaryTally t = m.get(policy).tally();
                        long votes = candidate ? t.candidateVotes() : t.parentVotes();
                        long ups = candidate ? t.candidateUps() : t.parentUps();
                        return votes == 0 ? Double.NaN : (double) ups / votes;
                    })
                    .description("thumbs-up share of the votes in the newest live canary, per arm")
                    .tags("policy", policy, "arm", arm).register(registry);
        }
    }
}
