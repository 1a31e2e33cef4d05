package io.livedpo.feedback.metrics;

import io.livedpo.events.CanaryDecision;
import io.livedpo.feedback.canary.CanarySprt;
import io.livedpo.feedback.canary.CanaryTally;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live canary as Prometheus sees it, per policy: the experiment now judged (candidate and parent versions, votes
 * and thumbs-up rate per arm, A/B choices and the candidate's wins, the test statistic and its two bounds) and a
 * counter of decisions. Gauges show the newest experiment only, so their series do not grow with every version. The
 * dashboard's "Live canary" row (deploy/grafana) reads these names.
 */
public final class CanaryMetrics {

    private final MeterRegistry registry;
    private final Map<String, Evidence> latest = new ConcurrentHashMap<>();

    private record Evidence(CanaryTally tally, CanarySprt test, double logLikelihoodRatio) {
    }

    public CanaryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void evidence(CanaryTally tally, CanarySprt test, double logLikelihoodRatio) {
        if (latest.put(tally.policy(), new Evidence(tally, test, logLikelihoodRatio)) == null) {
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
        Gauge.builder("livedpo_feedback_canary_parent_version", latest, m -> m.get(policy).tally().parent())
                .description("version the newest live canary of the policy is compared with (its parent)")
                .tags("policy", policy).register(registry);
        Gauge.builder("livedpo_feedback_canary_log_likelihood_ratio", latest,
                        m -> m.get(policy).logLikelihoodRatio())
                .description("the live canary's SPRT statistic; promote at or above its upper bound, roll back at"
                        + " or below its lower one").tags("policy", policy).register(registry);
        Gauge.builder("livedpo_feedback_canary_upper_bound", latest, m -> m.get(policy).test().upperBound())
                .description("the live canary's promote bound, log((1-beta)/alpha)").tags("policy", policy)
                .register(registry);
        Gauge.builder("livedpo_feedback_canary_lower_bound", latest, m -> m.get(policy).test().lowerBound())
                .description("the live canary's roll-back bound, log(beta/(1-alpha))").tags("policy", policy)
                .register(registry);
        Gauge.builder("livedpo_feedback_canary_choices", latest, m -> m.get(policy).tally().choices())
                .description("A/B choices between the candidate's and the parent's answer in the newest live canary")
                .tags("policy", policy).register(registry);
        Gauge.builder("livedpo_feedback_canary_candidate_wins", latest, m -> m.get(policy).tally().candidateWins())
                .description("A/B choices in the newest live canary that picked the candidate's answer")
                .tags("policy", policy).register(registry);
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
