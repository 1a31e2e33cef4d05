package io.livedpo.feedback.streams;

import io.livedpo.events.CanaryDecision;
import io.livedpo.events.FeedbackEvent;
import io.livedpo.feedback.canary.CanaryConfig;
import io.livedpo.events.JsonSerde;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptHash;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.Rating;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.feedback.service.FeedbackMetrics;
import io.livedpo.feedback.service.PolicyStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The real topology on a TopologyTestDriver, with real metrics behind it and helpers to speak its topics. */
final class TopologyHarness implements AutoCloseable {

    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    static final String POLICY = "default";

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PolicyStats stats = new PolicyStats();
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> responses;
    final TestInputTopic<String, byte[]> feedback;
    final TestOutputTopic<String, PreferencePair> pairs;
    final TestOutputTopic<String, byte[]> feedbackDlq;
    final TestOutputTopic<String, byte[]> responsesDlq;
    private final JsonSerializer<Object> json = new JsonSerializer<>();
    private final Path stateDir;

    final TestOutputTopic<String, CanaryDecision> decisions;

    TopologyHarness(PairingConfig config) {
        this(config, CanaryConfig.defaults());
    }

    TopologyHarness(PairingConfig config, CanaryConfig canary) {
        try {
            stateDir = Files.createDirectories(Path.of("target", "topology-state")).resolve(UUID.randomUUID().toString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "feedback-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(FeedbackTopology.build(config, canary, new FeedbackMetrics(registry, stats)),
                props, T0);
        decisions = driver.createOutputTopic(Topics.CANARY_DECISIONS, new StringDeserializer(),
                JsonSerde.of(CanaryDecision.class).deserializer());
        responses = driver.createInputTopic(Topics.RESPONSES, new StringSerializer(), new ByteArraySerializer());
        feedback = driver.createInputTopic(Topics.FEEDBACK, new StringSerializer(), new ByteArraySerializer());
        pairs = driver.createOutputTopic(Topics.PAIRS, new StringDeserializer(),
                JsonSerde.of(PreferencePair.class).deserializer());
        feedbackDlq = driver.createOutputTopic(Topics.deadLetter(Topics.FEEDBACK), new StringDeserializer(),
                new ByteArrayDeserializer());
        responsesDlq = driver.createOutputTopic(Topics.deadLetter(Topics.RESPONSES), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    static PairingConfig config() {
        return new PairingConfig(Duration.ofDays(7), Duration.ofMinutes(5), Duration.ofHours(1), 16, 100,
                Duration.ofHours(1), Duration.ofSeconds(1));
    }

    static List<PromptMessage> prompt(String text) {
        return List.of(new PromptMessage("user", text));
    }

    static ResponseEvent response(String id, String promptText, String completion, long modelVersion) {
        List<PromptMessage> prompt = prompt(promptText);
        return new ResponseEvent(ResponseEvent.SCHEMA, id, "conv-" + id, POLICY, modelVersion, prompt, completion,
                null, PromptHash.of(POLICY, prompt), T0);
    }

    void send(ResponseEvent response) {
        responses.pipeInput(response.responseId(), json.serialize(Topics.RESPONSES, response));
    }

    FeedbackEvent thumbs(String responseId, Rating rating, String user, Duration after) {
        FeedbackEvent event = FeedbackEvent.thumbs(UUID.randomUUID().toString(), responseId, rating, user, null,
                T0.plus(after));
        send(event);
        return event;
    }

    FeedbackEvent choice(String chosen, String rejected, String user) {
        FeedbackEvent event = FeedbackEvent.pairwise(UUID.randomUUID().toString(), chosen, rejected, user, T0);
        send(event);
        return event;
    }

    void send(FeedbackEvent event) {
        feedback.pipeInput(event.key(), json.serialize(Topics.FEEDBACK, event));
    }

    List<KeyValue<String, PreferencePair>> pairs() {
        return pairs.readRecordsToList().stream().map(r -> KeyValue.pair(r.key(), r.value())).toList();
    }

    List<TestRecord<String, byte[]>> feedbackDeadLetters() {
        return feedbackDlq.readRecordsToList();
    }

    double rejected(String reason) {
        Counter counter = registry.find("livedpo_feedback_rejected").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    double unmatched() {
        return registry.get("livedpo_feedback_unmatched").counter().count();
    }

    double counter(String name, String tag, String value) {
        Counter counter = registry.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        driver.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (java.io.IOException e) {
            // A temp directory left behind is harmless.
        }
    }
}
