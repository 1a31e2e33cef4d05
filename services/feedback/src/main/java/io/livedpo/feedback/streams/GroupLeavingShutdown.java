package io.livedpo.feedback.streams;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Closes the app's Kafka Streams removing it from its consumer group, before quarkus-kafka-streams' own plain close
 * (which keeps the membership, so a successor's first rebalance would wait out the old session, 45 s by default).
 * The app is a static member ({@code kafka-streams.group.instance.id}, the pod's name): a pod replaced under another
 * name gets the partitions as soon as it joins because this close removed the old member, and a pod restarted under
 * the same name (even after {@code kill -9}) rejoins as itself at once. Kafka Streams removes only static members on
 * {@code leaveGroup}; a dynamic member's consumer keeps its membership on close.
 */
@ApplicationScoped
public class GroupLeavingShutdown {

    /** Enough for the open transaction to commit and the changelogs to flush. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** Priority 1: before Quarkus' observer (default priority), which then finds the instance closed. */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event, KafkaStreams streams) {
        close(streams);
    }

    /** Closes {@code streams} and removes its static members from the group; false if not done within the timeout. */
    public static boolean close(KafkaStreams streams) {
        return streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(CLOSE_TIMEOUT));
    }
}
