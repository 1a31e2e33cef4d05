package io.livedpo.trainer.service;

import io.livedpo.policy.PolicyModel;
import io.livedpo.trainer.config.TrainerConfig;
import io.livedpo.trainer.grpc.PushTargets;
import io.livedpo.trainer.grpc.ReplicaPusher;
import io.livedpo.trainer.messaging.Announcer;
import io.livedpo.trainer.messaging.ConsumerSettings;
import io.livedpo.trainer.messaging.DeadLetters;
import io.livedpo.trainer.messaging.PairConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wires the trainer at start-up (base model, store, training session, consumer thread, publisher) and takes it down
 * gracefully: the consumer checkpoints and commits before it leaves, then queued publications finish.
 */
@ApplicationScoped
public class TrainerRuntime {

    private static final Logger LOG = Logger.getLogger(TrainerRuntime.class);

    private final TrainerConfig config;
    private final MeterRegistry meters;
    private final String bootstrapServers;
    private volatile PolicyModel base;
    private volatile PairConsumer consumer;
    private TrainingSession session;
    private CheckpointPublisher publisher;
    private Announcer announcer;
    private ReplicaPusher pusher;
    private DeadLetters deadLetters;

    public TrainerRuntime(TrainerConfig config, MeterRegistry meters,
                          @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.meters = meters;
        this.bootstrapServers = bootstrapServers;
    }

    @Produces
    @Singleton
    CheckpointStore store() {
        return new CheckpointStore(config.storeDir());
    }

    @Produces
    @Singleton
    ArchiveSigner signer() {
        return new ArchiveSigner(config.publish().signingKey());
    }

    void start(@Observes StartupEvent event, CheckpointStore store, ArchiveSigner signer) throws IOException {
        base = PolicyModel.open(config.modelDir());
        TrainerMetrics metrics = new TrainerMetrics(meters);
        TrainerConfig.Publish p = config.publish();
        announcer = new Announcer(bootstrapServers);
        pusher = new ReplicaPusher(p.token(), p.maxAttempts(), p.initialBackoff(), p.timeout());
        publisher = new CheckpointPublisher(store, signer, announcer, pusher,
                new PushTargets(p.targets().orElse(List.of()), p.dnsName(), p.dnsPort()), metrics,
                p.locationPrefix());
        session = new TrainingSession(base, store, TrainingSettings.from(config),
                new KlGuard(base, KlSettings.from(config)), publisher, metrics);
        deadLetters = new DeadLetters(bootstrapServers);
        consumer = new PairConsumer(new ConsumerSettings(bootstrapServers, config.pairsTopic(), config.groupId(),
                Duration.ofMillis(100), config.checkpoint().every()), session, deadLetters, metrics);
        consumer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (consumer != null) {
            consumer.close();
        }
        if (publisher != null) {
            publisher.close();
            pusher.close();
            announcer.close();
            deadLetters.close();
        }
        if (session != null) {
            session.close();
        }
        if (base != null) {
            base.close();
        }
    }

    /** Ready to train: the base model is loaded and the consumer loop is polling. */
    public boolean ready() {
        return base != null && consumer != null && consumer.running();
    }
}
