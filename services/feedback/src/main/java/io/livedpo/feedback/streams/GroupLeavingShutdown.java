package io.livedpo.feedback.streams;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Closes the app's Kafka Streams leaving its consumer group, before quarkus-kafka-streams' own plain close (which
 * keeps the membership, so a successor's first rebalance would wait out the old session, 45 s by default). A pod
 * restarted or replaced gets its partitions as soon as it joins. Static membership would need a stable instance id
 * per pod (a StatefulSet); leaving works for any deployment. A killed process cannot leave: then the session
 * timeout still applies.
 */
@ApplicationScoped
public class GroupLeavingShutdown {

    /** Enough for the open transaction to commit and the changelogs to flush. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** Priority 1: before Quarkus' observer (default priority), which then finds the instance closed. */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event, KafkaStreams streams) {
        close(streams);
    }

    /** Closes {@code streams} and leaves its group; false if the close did not finish within the timeout. */
    public static boolean close(KafkaStreams streams) {
        return streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(CLOSE_TIMEOUT));
    }
}
