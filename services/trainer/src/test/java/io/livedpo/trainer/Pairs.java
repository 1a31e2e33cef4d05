package io.livedpo.trainer;

import io.livedpo.events.PromptMessage;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Preference pairs short enough for the tiny fixture's 64-token context, and Kafka helpers around them. */
final class Pairs {

    private static final String[][] DATA = {
            {"What is 2 + 2?", "2 + 2 is 4.", "I don't care."},
            {"Hello, I am Ana.", "Hello Ana, nice to meet you!", "Go away."},
            {"What is 3 + 5?", "3 + 5 is 8.", "3 + 5 is 35."},
            {"How do I boil an egg?", "Put it in boiling water.", "Eggs are boring."},
    };

    private Pairs() {
    }

    static PreferencePair pair(String policy, int i, Instant feedbackAt) {
        String[] d = DATA[i % DATA.length];
        String a = "resp-" + policy + "-" + i + "-a";
        String b = "resp-" + policy + "-" + i + "-b";
        return new PreferencePair(PreferencePair.SCHEMA, PreferencePair.idOf(a, b), policy,
                List.of(new PromptMessage("user", d[0])), d[1], d[2], a, b, 0, 0, PairSource.PAIRWISE, feedbackAt,
                feedbackAt);
    }

    static List<PreferencePair> pairs(String policy, int from, int to) {
        List<PreferencePair> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(pair(policy, i, Instant.now()));
        }
        return out;
    }

    static KafkaProducer<String, PreferencePair> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new JsonSerializer<>());
    }

    static void send(String bootstrap, String topic, List<PreferencePair> pairs) throws Exception {
        try (KafkaProducer<String, PreferencePair> p = producer(bootstrap)) {
            for (PreferencePair pair : pairs) {
                p.send(new ProducerRecord<>(topic, pair.policy(), pair)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    static void send(String bootstrap, String topic, int partition, List<PreferencePair> pairs) throws Exception {
        try (KafkaProducer<String, PreferencePair> p = producer(bootstrap)) {
            for (PreferencePair pair : pairs) {
                p.send(new ProducerRecord<>(topic, partition, pair.policy(), pair)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    static void sendRaw(String bootstrap, String topic, String key, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, key.getBytes(), value.getBytes())).get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads {@code topic} from the start until a record matches (deadline 30 s). */
    static ConsumerRecord<byte[], byte[]> await(String bootstrap, String topic,
                                                Predicate<ConsumerRecord<byte[], byte[]>> match) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (match.test(r)) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no matching record on " + topic + " within 30 s");
    }

    static <T> T decode(Class<T> type, byte[] value) {
        return new JsonDeserializer<>(type).deserialize("test", value);
    }
}
