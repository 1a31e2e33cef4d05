package io.livedpo.events.kafka;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;

/**
 * Where the Kafka cluster is and how to authenticate to it: the settings every Kafka client of a service shares, read
 * from the app's {@code kafka.*} properties (the SmallRye/Quarkus convention, so {@code KAFKA_SASL_JAAS_CONFIG} sets
 * {@code kafka.sasl.jaas.config}). Every hand-built producer, consumer and admin client starts from {@link #with}, and
 * feedback's Kafka Streams maps the same keys ({@code kafka-streams.<key>=${kafka.<key>:}}), so all connect alike.
 * Only {@link #SHARED} keys pass through: anything else is a per-client decision made in code.
 */
public final class KafkaClientProperties {

    public static final String PREFIX = "kafka.";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

    /** The client keys taken from {@code kafka.<key>}: bootstrap, SASL (PLAIN or SCRAM) and the TLS truststore. */
    public static final List<String> SHARED = List.of(BOOTSTRAP_SERVERS, "security.protocol", "sasl.mechanism",
            "sasl.jaas.config", "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.type");

    private static final List<String> SECRET = List.of("sasl.jaas.config", "ssl.truststore.password");

    private final Map<String, String> shared;

    private KafkaClientProperties(Map<String, String> shared) {
        if (shared.getOrDefault(BOOTSTRAP_SERVERS, "").isBlank()) {
            throw new IllegalArgumentException(PREFIX + BOOTSTRAP_SERVERS + " is not set");
        }
        this.shared = Map.copyOf(shared);
    }

    /** The app's configuration; an empty value counts as unset (SmallRye's rule), so {@code ${kafka.x:}} is harmless. */
    public static KafkaClientProperties from(Config config) {
        return from(name -> config.getOptionalValue(name, String.class));
    }

    /** {@code lookup} maps a full property name ({@code kafka.security.protocol}) to its value. */
    public static KafkaClientProperties from(Function<String, Optional<String>> lookup) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String key : SHARED) {
            lookup.apply(PREFIX + key).filter(v -> !v.isBlank()).ifPresent(v -> found.put(key, v));
        }
        return new KafkaClientProperties(found);
    }

    /** An unauthenticated cluster: tests and the local stack. */
    public static KafkaClientProperties plaintext(String bootstrapServers) {
        return new KafkaClientProperties(Map.of(BOOTSTRAP_SERVERS, bootstrapServers));
    }

    /**
     * One client's configuration: the shared settings plus {@code specific} (acks, group, client id...). A specific
     * setting may not override a shared one: a client that connected differently from the others would be a bug.
     */
    public Map<String, Object> with(Map<String, ?> specific) {
        Map<String, Object> all = new HashMap<>(specific);
        shared.forEach((key, value) -> {
            if (all.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException(key + " is shared by every client; set it as " + PREFIX + key);
            }
        });
        return all;
    }

    public String bootstrapServers() {
        return shared.get(BOOTSTRAP_SERVERS);
    }

    /** The shared settings under their client keys; {@link #toString()} is the form to log. */
    public Map<String, String> asMap() {
        return shared;
    }

    /** Secrets masked: this may be logged. */
    @Override
    public String toString() {
        Map<String, String> printable = new LinkedHashMap<>();
        SHARED.stream().filter(shared::containsKey)
                .forEach(k -> printable.put(k, SECRET.contains(k) ? "<hidden>" : shared.get(k)));
        return printable.toString();
    }
}
