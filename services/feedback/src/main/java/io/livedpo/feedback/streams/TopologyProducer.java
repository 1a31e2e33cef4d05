package io.livedpo.feedback.streams;

import io.livedpo.events.CanaryDecision;
import io.livedpo.feedback.canary.CanaryConfig;
import io.livedpo.feedback.canary.CanarySprt;
import io.livedpo.feedback.config.FeedbackConfig;
import io.livedpo.feedback.service.FeedbackObserver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;

/** Hands the topology to quarkus-kafka-streams, which runs it with the {@code kafka-streams.*} settings. */
@ApplicationScoped
public class TopologyProducer {

    static CanaryConfig canary(FeedbackConfig.Canary c) {
        return new CanaryConfig(new CanarySprt(c.alpha(), c.beta(), c.effect(), c.minVotes()), c.maxCandidateVotes(),
                c.maxDuration(), CanaryDecision.Action.valueOf(c.onLimit().toUpperCase(java.util.Locale.ROOT)));
    }

    @Produces
    Topology topology(FeedbackConfig config, FeedbackObserver observer) {
        FeedbackConfig.Pairing pairing = config.pairing();
        return FeedbackTopology.build(new PairingConfig(pairing.responseRetention(), pairing.feedbackGrace(),
                pairing.window(), pairing.maxPairsPerPrompt(), pairing.maxPairsPerUser(), pairing.userCapWindow(),
                pairing.punctuateInterval()), canary(config.canary()), observer);
    }
}
