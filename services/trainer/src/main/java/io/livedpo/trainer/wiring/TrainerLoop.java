package io.livedpo.trainer.wiring;

import io.livedpo.trainer.config.TrainerConfig;
import io.livedpo.trainer.messaging.CanaryDecisionReader;
import io.livedpo.trainer.messaging.CheckpointPublisher;
import java.time.Duration;
import io.livedpo.trainer.messaging.PairConsumer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Starts the training loop with the application and stops it gracefully: the consumer checkpoints and commits before
 * it leaves, then queued publications finish, and only then does the container close the rest.
 */
@ApplicationScoped
public class TrainerLoop {

    private final PairConsumer consumer;
    private final CheckpointPublisher publisher;
    private final CanaryDecisionReader canaryDecisions;
    private final Duration canaryCatchUp;

    public TrainerLoop(PairConsumer consumer, CheckpointPublisher publisher, CanaryDecisionReader canaryDecisions,
                       TrainerConfig config) {
        this.consumer = consumer;
        this.publisher = publisher;
        this.canaryDecisions = canaryDecisions;
        this.canaryCatchUp = config.canary().catchUp();
    }

    /** Rollbacks first: the consumer's first pair of a policy picks the version to continue from with them known. */
    void start(@Observes StartupEvent event) {
        canaryDecisions.start(canaryCatchUp);
        consumer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        consumer.close();
        publisher.close();
    }

    /** Ready to train: the base model is loaded (the consumer needs it) and the consumer loop is polling. */
    public boolean ready() {
        return consumer.running();
    }
}
