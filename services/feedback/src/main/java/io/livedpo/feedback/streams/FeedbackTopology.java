package io.livedpo.feedback.streams;

import io.livedpo.events.CanaryArm;
import io.livedpo.events.CanaryDecision;
import io.livedpo.events.FeedbackEvent;
import io.livedpo.feedback.canary.CanaryConfig;
import io.livedpo.feedback.canary.CanaryTally;
import io.livedpo.events.JsonSerde;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.feedback.service.FeedbackObserver;
import java.time.Duration;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Feedback and responses in, preference pairs out, in four stages separated by repartition topics:
 * <ol>
 *   <li>decode both inputs (poison → {@code <topic>.dlq}) and fan feedback out into one lookup per response;</li>
 *   <li>by response id: join each lookup with its response, holding early feedback for the grace period;</li>
 *   <li>by prompt ({@code policy|promptHash}): pair opposite thumbs and the two halves of A/B choices
 *       ({@link Pairer});</li>
 *   <li>by user: per-user caps ({@link UserCap}), then out to {@link Topics#PAIRS} keyed by policy.</li>
 * </ol>
 * Stage 2 reads {@link Topics#RESPONSES} and the lookups together, so that topic and {@link Topics#FEEDBACK} must
 * have the same partition count (the lookup repartition topic takes the feedback topic's).
 */
public final class FeedbackTopology {

    private static final Serde<String> KEYS = Serdes.String();

    private FeedbackTopology() {
    }

    public static Topology build(PairingConfig config, FeedbackObserver observer) {
        return build(config, CanaryConfig.defaults(), observer);
    }

    /**
     * As above, plus the live canary's judge: thumbs votes and A/B choices on responses routed into a canary
     * experiment, repartitioned by experiment, tallied and tested ({@link CanaryJudge}); its decisions go to
     * {@link Topics#CANARY_DECISIONS}.
     */
    public static Topology build(PairingConfig config, CanaryConfig canary, FeedbackObserver observer) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(keyValueStore(CanaryJudge.TALLIES, InternalSerde.of(CanaryTally.class)));
        builder.addStateStore(keyValueStore(CanaryJudge.HALVES, InternalSerde.of(CanaryHalf.class)));
        builder.addStateStore(Stores.windowStoreBuilder(
                // Window size is irrelevant (one entry per id); the retention is what keeps responses joinable.
                Stores.persistentWindowStore(ResponseStores.RESPONSES, config.responseRetention(), Duration.ofMillis(1),
                        false), KEYS, InternalSerde.of(ResponseEvent.class)));
        builder.addStateStore(keyValueStore(ResponseStores.PENDING, InternalSerde.of(HeldLookups.class)));
        // Still registered so an upgraded app drains what it held in the earlier layout (ResponseStores).
        builder.addStateStore(keyValueStore(ResponseStores.LEGACY_PENDING, InternalSerde.of(HeldLookup.class)));
        builder.addStateStore(keyValueStore(Pairer.VOTES, InternalSerde.of(PromptVotes.class)));
        builder.addStateStore(keyValueStore(Pairer.HALVES, InternalSerde.of(HeldHalf.class)));
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(Pairer.EMITTED, config.responseRetention(), Duration.ofMillis(1), false),
                KEYS, Serdes.Long()));
        builder.addStateStore(keyValueStore(UserCap.USER_CAPS, InternalSerde.of(UserWindow.class)));

        KStream<String, ResponseEvent> responses = decoded(builder, Topics.RESPONSES, ResponseEvent.class,
                (key, response) -> response.responseId().equals(key) ? null
                        : "key " + key + " is not the responseId " + response.responseId(),
                observer);
        KStream<String, FeedbackEvent> feedback = decoded(builder, Topics.FEEDBACK, FeedbackEvent.class,
                (key, event) -> null, observer);

        FeedbackFanout fanout = new FeedbackFanout(observer);
        KStream<String, Lookup> lookups = feedback
                .flatMap((key, event) -> fanout.lookups(event), Named.as("fan-out"))
                .repartition(Repartitioned.with(KEYS, InternalSerde.of(Lookup.class)).withName("lookups"));

        KStream<String, Resolved> resolvedByResponses = responses.process(ResponseJoiner::new,
                Named.as("join-responses"), ResponseStores.RESPONSES, ResponseStores.PENDING,
                ResponseStores.LEGACY_PENDING);
        KStream<String, Resolved> resolvedByLookups = lookups.process(() -> new LookupJoiner(config, observer),
                Named.as("join-lookups"), ResponseStores.RESPONSES, ResponseStores.PENDING,
                ResponseStores.LEGACY_PENDING);

        KStream<String, Resolved> resolved = resolvedByResponses.merge(resolvedByLookups, Named.as("resolved"));
        resolved.filter((key, r) -> r.response().canary() != null, Named.as("canary-votes"))
                .selectKey((key, r) -> CanaryArm.key(r.response().policy(), r.response().canary().candidate()),
                        Named.as("by-experiment"))
                .repartition(Repartitioned.with(KEYS, InternalSerde.of(Resolved.class)).withName("by-canary"))
                .process(() -> new CanaryJudge(canary, config, observer), Named.as("judge"),
                        CanaryJudge.TALLIES, CanaryJudge.HALVES)
                .to(Topics.CANARY_DECISIONS, Produced.with(KEYS, JsonSerde.of(CanaryDecision.class))
                        .withName("canary-decisions"));
        resolved
                .repartition(Repartitioned.with(KEYS, InternalSerde.of(Resolved.class)).withName("by-prompt"))
                .process(() -> new Pairer(config, observer), Named.as("pair"),
                        Pairer.VOTES, Pairer.HALVES, Pairer.EMITTED)
                .repartition(Repartitioned.with(KEYS, InternalSerde.of(PreferencePair.class)).withName("by-user"))
                .process(() -> new UserCap(config, observer), Named.as("cap-users"), UserCap.USER_CAPS)
                .to(Topics.PAIRS, Produced.with(KEYS, JsonSerde.of(PreferencePair.class)).withName("pairs"));
        return builder.build();
    }

    private static <T> StoreBuilder<KeyValueStore<String, T>> keyValueStore(String name, Serde<T> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), KEYS, values);
    }

    private static <T> KStream<String, T> decoded(StreamsBuilder builder, String topic, Class<T> type,
                                                  BiFunction<String, T, String> keyProblem,
                                                  FeedbackObserver observer) {
        KStream<String, Decoded<T>> decoded = builder
                .stream(topic, Consumed.with(KEYS, Serdes.ByteArray()).withName("read-" + topic))
                .process(() -> new DecodeOrDeadLetter<>(type, keyProblem, observer), Named.as("decode-" + topic));
        decoded.filter((key, value) -> value.failed(), Named.as("poison-" + topic))
                .mapValues(Decoded::raw, Named.as("raw-" + topic))
                .to(Topics.deadLetter(topic), Produced.with(KEYS, Serdes.ByteArray()).withName("dlq-" + topic));
        return decoded.filterNot((key, value) -> value.failed(), Named.as("valid-" + topic))
                .mapValues(Decoded::value, Named.as("value-" + topic));
    }
}
