package io.livedpo.serving.service;

import io.livedpo.events.CanaryDecision;
import io.livedpo.serving.engine.PolicyVersion;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Serving's side of the live canary: starts a candidate beside the active version and applies feedback's decisions
 * (promote: the candidate serves everyone; rollback: it is unloaded and its parent serves everyone). Serving only
 * routes and applies; the decision is computed where the votes are joined, in feedback. Every decision seen is
 * remembered, so a candidate this replica installs after its verdict (a late start, a catch-up) is settled at once.
 */
@ApplicationScoped
public class LiveCanary {

    private static final Logger LOG = Logger.getLogger(LiveCanary.class);

    private final PolicyRegistry registry;
    private final MeterRegistry meters;
    private final Map<String, CanaryDecision> decisions = new ConcurrentHashMap<>();

    public LiveCanary(PolicyRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        this.meters = meters;
    }

    /** After the registry has opened its slots (it observes at the default priority). */
    void start(@Observes @Priority(4000) StartupEvent event) {
        for (String policy : registry.policies()) {
            Gauge.builder("livedpo.serving.canary.candidate.version", registry,
                            r -> r.candidate(policy).map(v -> (double) v.version()).orElse(-1.0))
                    .description("version on trial as a live canary (-1: none)").tags("policy", policy)
                    .register(meters);
        }
    }

    /**
     * Puts a loaded standby version on trial; if its verdict is already known, applies it instead. Returns the version
     * serving the policy's untargeted traffic afterwards (the parent, unless the candidate was promoted at once).
     */
    public synchronized PolicyVersion start(String policy, long version) {
        CanaryDecision known = decisions.get(io.livedpo.events.CanaryArm.key(policy, version));
        PolicyVersion candidate = registry.startCanary(policy, version);
        LOG.infof("%s is a live canary beside %s", candidate.label(), registry.active(policy).label());
        if (known != null) {
            apply(known);
        }
        return registry.active(policy);
    }

    /** Whether {@code policy@version} was rolled back: a replica must not install it again. */
    public boolean rolledBack(String policy, long version) {
        CanaryDecision d = decisions.get(io.livedpo.events.CanaryArm.key(policy, version));
        return d != null && d.action() == CanaryDecision.Action.ROLLBACK;
    }

    /** Applies a decision to the candidate it names, if that candidate is on trial here; remembers it either way. */
    public synchronized void apply(CanaryDecision decision) {
        decisions.put(decision.key(), decision);
        if (!registry.policies().contains(decision.policy())) {
            return;
        }
        boolean applied = decision.action() == CanaryDecision.Action.PROMOTE
                ? registry.promote(decision.policy(), decision.candidateVersion())
                : registry.dropCandidate(decision.policy(), decision.candidateVersion());
        if (applied) {
            io.micrometer.core.instrument.Counter.builder("livedpo.serving.canary.decisions.applied")
                    .description("live-canary decisions applied to the candidate on trial, by action")
                    .tags("policy", decision.policy(), "action",
                            decision.action().name().toLowerCase(java.util.Locale.ROOT))
                    .register(meters).increment();
            LOG.infof("live canary %s: %s (%s; candidate %d/%d up, parent %d/%d up, log-LR %.3f)", decision.key(),
                    decision.action(), decision.reason(), decision.candidateUps(), decision.candidateVotes(),
                    decision.parentUps(), decision.parentVotes(), decision.logLikelihoodRatio());
        }
    }
}
