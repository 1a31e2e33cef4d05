package io.livedpo.feedback.streams;

import static io.livedpo.feedback.streams.TopologyHarness.POLICY;
import static io.livedpo.feedback.streams.TopologyHarness.T0;
import static io.livedpo.feedback.streams.TopologyHarness.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.DeadLetterHeaders;
import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.Rating;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FeedbackTopologyTest {

    private TopologyHarness harness = new TopologyHarness(TopologyHarness.config());

    @AfterEach
    void close() {
        harness.close();
    }

    private void useConfig(PairingConfig config) {
        harness.close();
        harness = new TopologyHarness(config);
    }

    private void twoAnswers() {
        harness.send(response("good", "hi", "Hello! How can I help?", 3));
        harness.send(response("bad", "hi", "go away", 2));
    }

    @Test
    void oppositeThumbsOnOnePromptMakeOnePairKeyedByPolicy() {
        twoAnswers();
        harness.thumbs("good", Rating.UP, "u1", Duration.ZERO);
        harness.thumbs("bad", Rating.DOWN, "u2", Duration.ofMinutes(2));

        List<KeyValue<String, PreferencePair>> pairs = harness.pairs();
        assertEquals(1, pairs.size());
        assertEquals(POLICY, pairs.get(0).key);
        PreferencePair pair = pairs.get(0).value;
        assertEquals("Hello! How can I help?", pair.chosen());
        assertEquals("go away", pair.rejected());
        assertEquals(3, pair.chosenModelVersion());
        assertEquals(2, pair.rejectedModelVersion());
        assertEquals(PairSource.THUMBS, pair.source());
        assertEquals(PreferencePair.idOf("good", "bad"), pair.pairId());
        assertEquals(TopologyHarness.prompt("hi"), pair.prompt());
        assertEquals(T0.plus(Duration.ofMinutes(2)), pair.newestFeedbackAt());
        assertEquals(1, harness.counter("livedpo_feedback_pairs", "source", "thumbs"));
        assertEquals(1, harness.counter("livedpo_feedback_events", "rating", "up"));
        assertEquals(2, harness.stats.snapshot().policies().get(POLICY).votes());
    }

    @Test
    void differentPromptsDoNotPair() {
        harness.send(response("a", "hi", "Hello", 1));
        harness.send(response("b", "bye", "Goodbye", 1));
        harness.thumbs("a", Rating.UP, "u1", Duration.ZERO);
        harness.thumbs("b", Rating.DOWN, "u1", Duration.ZERO);

        assertTrue(harness.pairs().isEmpty());
    }

    @Test
    void feedbackBeforeItsResponseIsHeldAndJoinedWhenTheResponseArrives() {
        harness.thumbs("good", Rating.UP, "u1", Duration.ZERO);
        harness.thumbs("bad", Rating.DOWN, "u2", Duration.ZERO);
        assertTrue(harness.pairs().isEmpty());

        harness.driver.advanceWallClockTime(Duration.ofMinutes(4));
        twoAnswers();

        assertEquals(1, harness.pairs().size());
        assertEquals(0, harness.unmatched());
    }

    @Test
    void feedbackWhoseResponseMissesTheGraceIsCountedUnmatchedAndForgotten() {
        harness.thumbs("good", Rating.UP, "u1", Duration.ZERO);
        harness.driver.advanceWallClockTime(Duration.ofMinutes(6));
        assertEquals(1, harness.unmatched());

        twoAnswers();
        harness.thumbs("bad", Rating.DOWN, "u2", Duration.ofMinutes(6));
        assertTrue(harness.pairs().isEmpty(), "the expired vote must not pair any more");
        assertEquals(1, harness.stats.snapshot().unmatched());
    }

    private long entries(String store) {
        try (var all = harness.driver.<String, Object>getKeyValueStore(store).all()) {
            long n = 0;
            for (; all.hasNext(); all.next()) {
                n++;
            }
            return n;
        }
    }

    /** The sweeps skip while nothing can be due (OldestEntry), and still empty every store once it is. */
    @Test
    void everyStoreIsSweptOnceItsEntriesAreDue() {
        twoAnswers();
        harness.thumbs("good", Rating.UP, "u1", Duration.ZERO);
        harness.thumbs("bad", Rating.DOWN, "u2", Duration.ZERO);
        harness.choice("good", "never-served", "u3");
        assertEquals(1, harness.pairs().size());
        assertEquals(1, entries(ResponseStores.PENDING));
        assertEquals(1, entries(Pairer.HALVES));
        assertEquals(1, entries(Pairer.VOTES));
        assertEquals(1, entries(UserCap.USER_CAPS));

        harness.driver.advanceWallClockTime(Duration.ofMinutes(4));
        assertEquals(1, entries(ResponseStores.PENDING), "within the grace");
        assertEquals(1, entries(Pairer.HALVES), "within the grace");
        harness.driver.advanceWallClockTime(Duration.ofMinutes(2));
        assertEquals(0, entries(ResponseStores.PENDING));
        assertEquals(0, entries(Pairer.HALVES));
        assertEquals(1, harness.unmatched());
        assertEquals(1, harness.rejected("choice_incomplete"));
        assertEquals(1, entries(Pairer.VOTES), "within the pairing window");

        harness.driver.advanceWallClockTime(Duration.ofMinutes(56));
        assertEquals(0, entries(Pairer.VOTES));
        assertEquals(0, entries(UserCap.USER_CAPS));
    }

    /** A lookup held twice (a redelivered record) waits, and is released or expires, once. */
    @Test
    void aRedeliveredLookupIsHeldOnce() {
        FeedbackEvent vote = FeedbackEvent.thumbs("f-again", "good", Rating.UP, "u1", null, T0);
        harness.send(vote);
        harness.send(vote);
        harness.thumbs("bad", Rating.DOWN, "u2", Duration.ZERO);
        assertEquals(2, entries(ResponseStores.PENDING), "one entry per response");

        harness.driver.advanceWallClockTime(Duration.ofMinutes(6));
        assertEquals(2, harness.unmatched(), "each held lookup expires once");
        assertEquals(0, entries(ResponseStores.PENDING));
    }

    /**
     * An app upgraded from the layout that kept one pending entry per lookup under {@code responseId|feedbackId|side}
     * (the store {@link ResponseStores#LEGACY_PENDING}, written here as that version wrote it) still joins the
     * lookups it held when their responses come, still expires the others on their original grace, and empties the
     * old store.
     */
    @Test
    void lookupsHeldInTheEarlierLayoutAreStillJoinedOrExpired() {
        var legacy = harness.driver.<String, HeldLookup>getKeyValueStore(ResponseStores.LEGACY_PENDING);
        long heldAt = T0.toEpochMilli();
        for (FeedbackEvent vote : List.of(
                FeedbackEvent.thumbs("f1", "good", Rating.UP, "u1", null, T0),
                FeedbackEvent.thumbs("f2", "bad", Rating.DOWN, "u2", null, T0),
                FeedbackEvent.thumbs("f3", "never-served", Rating.UP, "u3", null, T0))) {
            legacy.put(vote.responseId() + '|' + vote.feedbackId() + '|' + Side.RATED,
                    new HeldLookup(new Lookup(vote, Side.RATED), heldAt));
        }
        // An id that merely starts with another must not take its lookups (the old prefix scan's trap).
        FeedbackEvent prefixed = FeedbackEvent.thumbs("f4", "goodness", Rating.UP, "u4", null, T0);
        legacy.put("goodness|f4|RATED", new HeldLookup(new Lookup(prefixed, Side.RATED), heldAt));

        harness.driver.advanceWallClockTime(Duration.ofMinutes(4));
        twoAnswers();

        List<KeyValue<String, PreferencePair>> pairs = harness.pairs();
        assertEquals(1, pairs.size());
        assertEquals(PreferencePair.idOf("good", "bad"), pairs.get(0).value.pairId());
        assertEquals(0, entries(ResponseStores.LEGACY_PENDING), "drained");
        assertEquals(2, entries(ResponseStores.PENDING), "never-served and goodness still wait");
        assertEquals(0, harness.unmatched());

        harness.driver.advanceWallClockTime(Duration.ofMinutes(2));
        assertEquals(2, harness.unmatched(), "the grace ran from the original hold, not from the upgrade");
        assertEquals(0, entries(ResponseStores.PENDING));
    }

    /** A vote replayed with an old feedback time lowers the bound: the next sweep must not skip it. */
    @Test
    void aVoteOlderThanEverythingSweptBeforeIsStillSwept() {
        twoAnswers();
        harness.thumbs("good", Rating.UP, "u1", Duration.ofMinutes(10));
        harness.driver.advanceWallClockTime(Duration.ofMinutes(20));
        assertEquals(1, entries(Pairer.VOTES), "a sweep ran and found the vote within the window");

        harness.send(response("c", "other prompt", "c", 1));
        harness.thumbs("c", Rating.UP, "u2", Duration.ofMinutes(-50));
        assertEquals(2, entries(Pairer.VOTES));
        harness.driver.advanceWallClockTime(Duration.ofMinutes(20));
        assertEquals(1, entries(Pairer.VOTES), "the replayed vote (T0 - 50 min) is out of the window, the other (T0 + 10 min) is not");
    }

    @Test
    void votesFurtherApartThanThePairingWindowDoNotPair() {
        twoAnswers();
        harness.thumbs("good", Rating.UP, "u1", Duration.ZERO);
        harness.driver.advanceWallClockTime(Duration.ofMinutes(61));
        harness.thumbs("bad", Rating.DOWN, "u2", Duration.ofMinutes(61));

        assertTrue(harness.pairs().isEmpty());
    }

    @Test
    void sameTwoResponsesPairOnlyOnceWhateverTheSourceOrOrder() {
        twoAnswers();
        harness.thumbs("good", Rating.UP, "u1", Duration.ZERO);
        harness.thumbs("bad", Rating.DOWN, "u2", Duration.ZERO);
        harness.thumbs("bad", Rating.DOWN, "u3", Duration.ZERO);
        harness.choice("bad", "good", "u4");
        FeedbackEvent redelivered = harness.choice("good", "bad", "u5");
        harness.send(redelivered);

        assertEquals(1, harness.pairs().size());
        assertEquals(4, harness.rejected("duplicate"));
    }

    @Test
    void selfPairsAreDropped() {
        twoAnswers();
        harness.choice("good", "good", "u1");
        harness.thumbs("good", Rating.UP, "u1", Duration.ZERO);
        harness.thumbs("good", Rating.DOWN, "u2", Duration.ZERO);

        assertTrue(harness.pairs().isEmpty());
        assertEquals(2, harness.rejected("self_pair"));
    }

    @Test
    void identicalTextsAreDropped() {
        harness.send(response("a", "hi", "Same words", 1));
        harness.send(response("b", "hi", "Same words", 2));
        harness.thumbs("a", Rating.UP, "u1", Duration.ZERO);
        harness.thumbs("b", Rating.DOWN, "u2", Duration.ZERO);
        harness.choice("a", "b", "u3");

        assertTrue(harness.pairs().isEmpty());
        assertEquals(2, harness.rejected("identical_text"));
    }

    @Test
    void aChangedVoteReplacesTheOldOneButEmittedPairsStay() {
        harness.send(response("x", "hi", "answer x", 1));
        harness.send(response("y", "hi", "answer y", 1));
        harness.send(response("w", "hi", "answer w", 1));
        harness.thumbs("x", Rating.UP, "u1", Duration.ZERO);
        harness.thumbs("y", Rating.DOWN, "u2", Duration.ZERO);
        assertEquals("x", harness.pairs().get(0).value.chosenResponseId());

        harness.thumbs("x", Rating.DOWN, "u1", Duration.ofMinutes(1));
        harness.thumbs("w", Rating.DOWN, "u3", Duration.ofMinutes(2));
        assertTrue(harness.pairs().isEmpty(), "x is no longer up-voted, so the new down vote finds nothing");

        harness.thumbs("w", Rating.UP, "u3", Duration.ofMinutes(3));
        List<KeyValue<String, PreferencePair>> pairs = harness.pairs();
        assertEquals(List.of("x", "y"), pairs.stream().map(kv -> kv.value.rejectedResponseId()).sorted().toList(),
                "u3's switch to up pairs w over both down votes, x's being u1's changed one");
        assertTrue(pairs.stream().allMatch(kv -> kv.value.chosenResponseId().equals("w")));
    }

    /** A user cap of {@code maxPairsPerUser}, then one A/B choice ai over bi per entry of {@code users}. */
    private void choicesUnderUserCap(int maxPairsPerUser, List<String> users) {
        useConfig(new PairingConfig(Duration.ofDays(7), Duration.ofMinutes(5), Duration.ofHours(1), 16,
                maxPairsPerUser, Duration.ofHours(1), Duration.ofSeconds(1)));
        for (int i = 0; i < users.size(); i++) {
            harness.send(response("a" + i, "q" + i, "good " + i, 1));
            harness.send(response("b" + i, "q" + i, "bad " + i, 1));
            harness.choice("a" + i, "b" + i, users.get(i));
        }
    }

    @Test
    void aUserContributesAtMostTheCapPerWindow() {
        choicesUnderUserCap(2, List.of("flooder", "flooder", "flooder", "someone-else"));

        List<KeyValue<String, PreferencePair>> pairs = harness.pairs();
        assertEquals(List.of("a0", "a1", "a3"), pairs.stream().map(kv -> kv.value.chosenResponseId()).toList());
        assertEquals(1, harness.rejected("user_cap"));
    }

    /** The decision documented in README: a pair dropped at the cap is consumed, so the cap bounds it for good. */
    @Test
    void aPairDroppedAtTheUserCapStaysSeenSoNoOtherUserRevivesIt() {
        choicesUnderUserCap(1, List.of("flooder", "flooder"));
        assertEquals(List.of("a0"), harness.pairs().stream().map(kv -> kv.value.chosenResponseId()).toList());
        assertEquals(1, harness.rejected("user_cap"));

        harness.choice("a1", "b1", "someone-else");
        harness.thumbs("a1", Rating.UP, "voter-1", Duration.ZERO);
        harness.thumbs("b1", Rating.DOWN, "voter-2", Duration.ZERO);

        assertTrue(harness.pairs().isEmpty(), "a1 over b1 was dropped at the cap and is not emitted later");
        assertEquals(2, harness.rejected("duplicate"));
    }

    @Test
    void onePromptYieldsAtMostTheCapPerWindow() {
        useConfig(new PairingConfig(Duration.ofDays(7), Duration.ofMinutes(5), Duration.ofHours(1), 2, 100,
                Duration.ofHours(1), Duration.ofSeconds(1)));
        for (int i = 0; i < 4; i++) {
            harness.send(response("r" + i, "hi", "answer " + i, 1));
        }
        harness.thumbs("r0", Rating.UP, "u0", Duration.ZERO);
        harness.thumbs("r1", Rating.UP, "u1", Duration.ZERO);
        harness.thumbs("r2", Rating.UP, "u2", Duration.ZERO);
        harness.thumbs("r3", Rating.DOWN, "u3", Duration.ZERO);

        assertEquals(2, harness.pairs().size());
        assertEquals(1, harness.rejected("prompt_cap"));
    }

    @Test
    void anAbChoicePairsOnceBothResponsesAreKnownInAnyOrder() {
        harness.send(response("good", "hi", "Hello! How can I help?", 3));
        harness.choice("good", "bad", "u1");
        assertTrue(harness.pairs().isEmpty());
        harness.send(response("bad", "hi", "go away", 2));

        List<KeyValue<String, PreferencePair>> pairs = harness.pairs();
        assertEquals(1, pairs.size());
        assertEquals(PairSource.PAIRWISE, pairs.get(0).value.source());
        assertEquals("good", pairs.get(0).value.chosenResponseId());
        assertEquals(1, harness.counter("livedpo_feedback_pairs", "source", "pairwise"));
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithTheReasonAndProcessingGoesOn() {
        harness.feedback.pipeInput("r1", "{not json".getBytes(StandardCharsets.UTF_8));
        harness.feedback.pipeInput("r1", "{\"schema\":1,\"feedbackId\":\"f\"}".getBytes(StandardCharsets.UTF_8));
        harness.responses.pipeInput("wrong-key", new io.livedpo.events.JsonSerializer<>()
                .serialize("t", response("good", "hi", "Hello", 1)));
        harness.responses.pipeInput("r2", (byte[]) null);

        List<TestRecord<String, byte[]>> dead = harness.feedbackDeadLetters();
        assertEquals(2, dead.size());
        assertEquals("{not json", new String(dead.get(0).value(), StandardCharsets.UTF_8));
        assertEquals("malformed", header(dead.get(0), DeadLetterHeaders.REASON));
        assertTrue(header(dead.get(0), DeadLetterHeaders.DETAIL).startsWith("Not a FeedbackEvent on livedpo.feedback.v1"));
        assertEquals("livedpo.feedback.v1", header(dead.get(0), DeadLetterHeaders.SOURCE_TOPIC));
        assertTrue(header(dead.get(1), DeadLetterHeaders.DETAIL).contains("createdAt is required"),
                header(dead.get(1), DeadLetterHeaders.DETAIL));
        List<TestRecord<String, byte[]>> deadResponses = harness.responsesDlq.readRecordsToList();
        assertEquals(List.of("key_mismatch", "malformed"),
                deadResponses.stream().map(r -> header(r, DeadLetterHeaders.REASON)).toList());
        assertEquals(3, harness.rejected("malformed"));

        twoAnswers();
        harness.choice("good", "bad", "u1");
        assertEquals(1, harness.pairs().size(), "the topology still works after poison");
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
