package io.livedpo.feedback.streams;

import io.livedpo.feedback.config.FeedbackConfig;
import io.livedpo.feedback.service.FeedbackObserver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;

/** Hands the topology to quarkus-kafka-streams, which runs it with the {@code kafka-streams.*} settings. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    Topology topology(FeedbackConfig config, FeedbackObserver observer) {
        FeedbackConfig.Pairing pairing = config.pairing();
        return FeedbackTopology.build(new PairingConfig(pairing.responseRetention(), pairing.feedbackGrace(),
                pairing.window(), pairing.maxPairsPerPrompt(), pairing.maxPairsPerUser(), pairing.userCapWindow(),
                pairing.punctuateInterval()), observer);
    }
}
