package io.livedpo.serving.messaging;

import io.livedpo.serving.support.Daemons;
import io.grpc.ManagedChannel;
import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.Topics;
import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.FetchRequest;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.serving.service.CheckpointInstaller;
import io.livedpo.serving.service.LiveCanary;
import io.livedpo.serving.service.PolicyRegistry;
import io.livedpo.transfer.ArchiveAssembly;
import io.livedpo.transfer.ArchiveFrames;
import io.livedpo.transfer.CheckpointRejectedException;
import io.livedpo.transfer.ControlToken;
import io.livedpo.transfer.GrpcTls;
import io.livedpo.transfer.ReceivedArchive;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Catches a replica up with the trainer: reads the compacted announcements topic from the start (no consumer group:
 * every replica reads everything) and, whenever a policy's newest announced version is ahead of what this replica
 * serves, fetches that checkpoint from the trainer's CheckpointStore and installs it through the same verification
 * as a push. That covers a replica that starts after the trainer published, and one that missed a push.
 */
@ApplicationScoped
public class CatchUp {

    private static final Logger LOG = Logger.getLogger(CatchUp.class);

    private final ServingConfig.CatchUp config;
    /** The control-plane token: the store serves archives only to replicas that hold it. */
    private final Optional<String> token;
    /** Plaintext, or mutual TLS with this replica's certificate when {@code livedpo.grpc.tls.enabled}. */
    private final GrpcTls tls;
    private final PolicyRegistry registry;
    private final CheckpointInstaller installer;
    private final LiveCanary liveCanary;
    private final KafkaClientProperties kafka;
    private final Map<String, CheckpointAnnouncement> newest = new HashMap<>();
    private volatile boolean running;
    private Thread thread;

    public CatchUp(ServingConfig config, PolicyRegistry registry, CheckpointInstaller installer, LiveCanary liveCanary,
                   KafkaClientProperties kafka, GrpcTls tls) {
        this.liveCanary = liveCanary;
        this.config = config.catchUp();
        this.token = config.control().token();
        this.registry = registry;
        this.installer = installer;
        this.kafka = kafka;
        this.tls = tls;
    }

    /** After the registry has loaded the base model (a later priority runs later). */
    void start(@Observes @Priority(5000) StartupEvent event) {
        if (config.checkpointStore().isEmpty()) {
            LOG.info("no checkpoint store configured: catching up from announcements is off");
            return;
        }
        running = true;
        thread = Daemons.start("livedpo-announcements", this::run);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(Duration.ofSeconds(10).toMillis());
        }
    }

    private void run() {
        Map<String, Object> props = kafka.with(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "livedpo-serving-announcements"));
        GrpcTls.Lease lease = tls.lease();
        ManagedChannel channel = lease.channel(config.checkpointStore().orElseThrow()).build();
        try (KafkaConsumer<String, CheckpointAnnouncement> consumer = new KafkaConsumer<>(props,
                new StringDeserializer(), new JsonDeserializer<>(CheckpointAnnouncement.class))) {
            while (running && !WholeTopic.assign(consumer, Topics.CHECKPOINTS)) {
                pause();
            }
            while (running) {
                try {
                    for (ConsumerRecord<String, CheckpointAnnouncement> r : consumer.poll(config.pollInterval())) {
                        newest.merge(r.value().policy(), r.value(), (a, b) -> b.version() >= a.version() ? b : a);
                    }
                } catch (RecordDeserializationException e) {
                    LOG.warnf("skipping a malformed announcement at %s offset %d: %s", e.topicPartition(),
                            e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                    continue;
                }
                catchUp(channel);
            }
        } catch (RuntimeException e) {
            LOG.error("announcement follower stopped", e);
        } finally {
            channel.shutdownNow();
            lease.close();
        }
    }

    private void catchUp(ManagedChannel channel) {
        for (CheckpointAnnouncement a : newest.values()) {
            if (!registry.policies().contains(a.policy()) || !registry.base().fingerprint().equals(a.baseModel())
                    || registry.active(a.policy()).version() >= a.version()
                    || registry.candidate(a.policy()).map(v -> v.version() >= a.version()).orElse(false)
                    || liveCanary.rolledBack(a.policy(), a.version())) {
                continue;
            }
            try {
                install(channel, a);
            } catch (CheckpointRejectedException e) {
                LOG.warnf("announced %s@%d cannot be installed: %s", a.policy(), a.version(), e.getMessage());
                newest.remove(a.policy()); // do not retry the same bad checkpoint every poll
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot fetch %s@%d from %s yet: %s", a.policy(), a.version(),
                        config.checkpointStore().orElseThrow(), e.getMessage());
            }
        }
    }

    private void install(ManagedChannel channel, CheckpointAnnouncement a) throws IOException {
        CheckpointStoreGrpc.CheckpointStoreBlockingStub store = CheckpointStoreGrpc.newBlockingStub(channel)
                .withInterceptors(ControlToken.attach(token)).withDeadlineAfter(60, TimeUnit.SECONDS);
        try (ArchiveAssembly assembly = installer.assembly();
             ReceivedArchive archive = ArchiveFrames.receive(store.fetch(FetchRequest.newBuilder()
                     .setPolicy(a.policy()).setVersion(a.version()).build()), assembly)) {
            installer.install(archive, a.canary());
            LOG.infof("caught up: %s@%d fetched from the checkpoint store", a.policy(), a.version());
        }
    }

    private void pause() {
        try {
            // Waiting for the trainer to create the topic; nothing else depends on this thread.
            TimeUnit.MILLISECONDS.sleep(config.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
