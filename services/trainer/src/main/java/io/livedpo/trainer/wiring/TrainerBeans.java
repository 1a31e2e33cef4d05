package io.livedpo.trainer.wiring;

import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.policy.PolicyModel;
import io.livedpo.trainer.config.TrainerConfig;
import io.livedpo.trainer.device.DeviceSelector;
import io.livedpo.trainer.grpc.PushTargets;
import io.livedpo.trainer.grpc.ReplicaPusher;
import io.livedpo.trainer.messaging.Announcer;
import io.livedpo.trainer.messaging.CanaryDecisionReader;
import io.livedpo.trainer.messaging.CheckpointPublisher;
import io.livedpo.trainer.service.CanaryLedger;
import io.livedpo.trainer.messaging.ConsumerSettings;
import io.livedpo.trainer.messaging.DeadLetters;
import io.livedpo.trainer.messaging.PairConsumer;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.KlGuard;
import io.livedpo.trainer.service.KlSettings;
import io.livedpo.trainer.service.TrainerMetrics;
import io.livedpo.trainer.service.TrainingSession;
import io.livedpo.trainer.service.TrainingSettings;
import io.livedpo.transfer.ArchiveSignature;
import io.livedpo.transfer.GrpcTls;
import io.livedpo.transfer.GrpcTlsMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.Config;

/**
 * The trainer's object graph as CDI producers: the classes themselves stay plain Java (tests build them by hand), the
 * container builds each once and closes what holds resources. The order that matters at shutdown (the consumer's
 * final checkpoint before anything it publishes through closes) is {@link TrainerLoop}'s.
 */
@ApplicationScoped
public class TrainerBeans {

    @Produces
    @Singleton
    PolicyModel base(TrainerConfig config, DeviceSelector device) throws IOException {
        return PolicyModel.open(config.modelDir(), device.device().djlDevice());
    }

    void close(@Disposes PolicyModel base) {
        base.close();
    }

    @Produces
    @Singleton
    CheckpointStore store(TrainerConfig config) {
        return new CheckpointStore(config.storeDir());
    }

    @Produces
    @Singleton
    ArchiveSignature signer(TrainerConfig config) {
        return new ArchiveSignature(config.publish().signingKey());
    }

    @Produces
    @Singleton
    TrainerMetrics metrics(MeterRegistry meters) {
        return new TrainerMetrics(meters);
    }

    @Produces
    @Singleton
    KafkaClientProperties kafka(Config config) {
        return KafkaClientProperties.from(config);
    }

    @Produces
    @Singleton
    Announcer announcer(KafkaClientProperties kafka) {
        return new Announcer(kafka);
    }

    void close(@Disposes Announcer announcer) {
        announcer.close();
    }

    /**
     * {@code livedpo.grpc.tls.*}, declared once for both services in {@link GrpcTls}; checked when first used, its
     * reloads on the metrics page.
     */
    @Produces
    @Singleton
    GrpcTls tls(Config config, MeterRegistry registry) {
        GrpcTls tls = GrpcTls.from(name -> config.getOptionalValue(name, String.class));
        GrpcTlsMetrics.bind(tls, registry);
        return tls;
    }

    @Produces
    @Singleton
    ReplicaPusher pusher(TrainerConfig config, GrpcTls tls) {
        TrainerConfig.Publish p = config.publish();
        return new ReplicaPusher(p.token(), tls, p.maxAttempts(), p.initialBackoff(), p.timeout());
    }

    void close(@Disposes ReplicaPusher pusher) {
        pusher.close();
    }

    @Produces
    @Singleton
    CanaryLedger canaryLedger() {
        return new CanaryLedger();
    }

    @Produces
    @Singleton
    CanaryDecisionReader canaryDecisions(KafkaClientProperties kafka, CanaryLedger ledger) {
        return new CanaryDecisionReader(kafka, ledger);
    }

    void close(@Disposes CanaryDecisionReader reader) throws InterruptedException {
        reader.close();
    }

    @Produces
    @Singleton
    CheckpointPublisher publisher(TrainerConfig config, CheckpointStore store, ArchiveSignature signer,
                                  Announcer announcer, ReplicaPusher pusher, TrainerMetrics metrics,
                                  CanaryLedger ledger) {
        TrainerConfig.Publish p = config.publish();
        return new CheckpointPublisher(store, signer, announcer, pusher,
                new PushTargets(p.targets().orElse(List.of()), p.dnsName(), p.dnsPort()), metrics,
                p.locationPrefix(), config.canary().enabled(), ledger);
    }

    void close(@Disposes CheckpointPublisher publisher) throws InterruptedException {
        publisher.close();
    }

    @Produces
    @Singleton
    TrainingSession session(TrainerConfig config, PolicyModel base, CheckpointStore store,
                            CheckpointPublisher publisher, TrainerMetrics metrics, CanaryLedger ledger) {
        return new TrainingSession(base, store, TrainingSettings.from(config, base.model().defaultLoraTargets()),
                new KlGuard(base, KlSettings.from(config)), publisher, metrics, ledger);
    }

    void close(@Disposes TrainingSession session) {
        session.close();
    }

    @Produces
    @Singleton
    DeadLetters deadLetters(KafkaClientProperties kafka) {
        return new DeadLetters(kafka);
    }

    void close(@Disposes DeadLetters deadLetters) {
        deadLetters.close();
    }

    @Produces
    @Singleton
    PairConsumer consumer(TrainerConfig config, KafkaClientProperties kafka, TrainingSession session,
                          DeadLetters deadLetters, TrainerMetrics metrics) {
        return new PairConsumer(new ConsumerSettings(kafka, config.pairsTopic(), config.groupId(),
                Duration.ofMillis(100), config.checkpoint().every(),
                config.batch().size() * config.checkpoint().everySteps()), session, deadLetters, metrics);
    }
}
