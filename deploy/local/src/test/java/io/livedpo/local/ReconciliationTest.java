package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.Rating;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The reconciliation's checks on planted evidence: a clean run passes and classifies every vote, and each kind of
 * damage — a lost vote, a doubled vote, a pair twice on the topic, a pair in two checkpoints, a pair in none, a replica
 * behind, chat failures beyond the down time — is counted and named.
 */
class ReconciliationTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String A = "http://localhost:1";
    private static final String B = "http://127.0.0.2:1";
    private static final UserTraffic.Settings TRAFFIC = new UserTraffic.Settings(List.of(A, B), "http://f", 4, 4,
            0.5, 8, 2, 1L);
    /** A serving kill from 10 s to 20 s (down 5 s, from 11 s to 16 s), the run from 0 s to 30 s. */
    private static final FaultPhase SERVING_KILL = new FaultPhase(Fault.SERVING_KILL, at(10), at(11), at(16), at(20),
            B);

    private final VoteLedger ledger = new VoteLedger();
    private final List<FeedbackEvent> feedback = new ArrayList<>();
    private final List<PreferencePair> pairs = new ArrayList<>();

    @Test
    void aCleanRunPassesAndClassifiesEveryVote() {
        thumbs("f-1", "r-1", 2);     // paired with r-2
        thumbs("f-2", "r-2", 12);    // during the fault
        thumbs("f-3", "r-3", 25);    // joined, waiting for an opposite vote
        thumbs("f-4", "r-9", 26);    // its response never reached the topic: unmatched
        choice("f-5", "r-4", "r-5", 27);
        PreferencePair p1 = pair("r-1", "r-2", 12);
        PreferencePair p2 = pair("r-4", "r-5", 27);
        ledger.answered(at(5));
        ledger.chatFailed(B, at(12)); // the killed replica's share while it was down

        ChaosReport r = audit(Map.of(1L, checkpoint(1, 0, p1), 2L, checkpoint(2, 1, p2)), 2,
                Map.of(A, 2L, B, 2L));

        assertTrue(r.passed(), r.problems().toString());
        assertEquals(5, r.votesAccepted());
        assertEquals(3, r.votesPaired());
        assertEquals(1, r.votesJoinedUnpaired());
        assertEquals(1, r.votesUnmatched());
        assertEquals(2, r.pairs());
        FaultRow fault = r.rows().get(0);
        assertEquals("serving-kill", fault.fault());
        assertEquals(1, fault.votesAccepted());
        assertEquals(1, fault.chatFailures());
        // 4/s over two replicas for 5 s, plus 2 workers' requests in flight.
        assertEquals(12, fault.chatFailureBound());
        FaultRow steady = r.rows().get(1);
        assertEquals("steady", steady.fault());
        assertEquals(4, steady.votesAccepted());
        assertEquals(0, steady.chatFailureBound());
    }

    @Test
    void aLostAndADoubledVoteAreCountedInTheirPhase() {
        thumbs("f-1", "r-1", 12);
        thumbs("f-2", "r-2", 13);
        feedback.remove(0);                       // f-1 never reached the topic
        feedback.add(feedback.get(0));            // f-2 is there twice

        ChaosReport r = audit(Map.of(), 0, Map.of(A, 0L, B, 0L));

        assertEquals(1, r.votesLost());
        assertEquals(1, r.votesDuplicated());
        assertEquals(1, r.rows().get(0).votesLost());
        assertEquals(1, r.rows().get(0).votesDuplicated());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("not on livedpo.feedback.v1")), r.problems()
                .toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("more than once")), r.problems().toString());
    }

    @Test
    void aPairTwiceOnTheTopicInTwoCheckpointsOrInNoneFails() {
        PreferencePair twice = pair("r-1", "r-2", 12);
        pairs.add(twice);                                   // on the topic twice
        PreferencePair trainedTwice = pair("r-3", "r-4", 25);
        pair("r-5", "r-6", 26);                              // in no checkpoint

        ChaosReport r = audit(Map.of(1L, checkpoint(1, 0, twice, trainedTwice), 2L, checkpoint(2, 1, trainedTwice)),
                2, Map.of(A, 2L, B, 2L));

        assertEquals(1, r.pairsDuplicatedOnTopic());
        assertEquals(1, r.pairsTrainedTwice());
        assertEquals(1, r.pairsUncovered());
        assertEquals(1, r.rows().get(0).pairsDuplicated(), "the pair created during the fault");
        assertEquals(1, r.rows().get(1).pairsDuplicated(), "the pair created in steady load");
        assertEquals(3, r.problems().size(), r.problems().toString());
    }

    @Test
    void aReplicaBehindAnUnannouncedCheckpointAndTooManyChatFailuresFail() {
        PreferencePair p = pair("r-1", "r-2", 3);
        for (int i = 0; i < 13; i++) {
            ledger.chatFailed(B, at(12));              // one more than the bound of 12
        }
        ledger.chatFailed(A, at(25));                  // nothing was down then

        ChaosReport r = audit(Map.of(1L, checkpoint(1, 0, p), 2L, checkpoint(2, 1)), 1, Map.of(A, 1L, B, 0L));

        List<String> problems = r.problems();
        assertTrue(problems.stream().anyMatch(x -> x.contains("newest checkpoint is v2")), problems.toString());
        assertTrue(problems.stream().anyMatch(x -> x.contains(B + " serves v0")), problems.toString());
        assertTrue(problems.stream().anyMatch(x -> x.startsWith("serving-kill: 13 chat failures")),
                problems.toString());
        assertTrue(problems.stream().anyMatch(x -> x.startsWith("steady: 1 chat failures")), problems.toString());
    }

    private ChaosReport audit(Map<Long, Reconciliation.Checkpoint> checkpoints, long newestAnnounced,
                              Map<String, Long> replicas) {
        Set<String> responses = Set.of("r-1", "r-2", "r-3", "r-4", "r-5", "r-6");
        return Reconciliation.audit(new Reconciliation.Evidence(feedback, responses, pairs, checkpoints,
                newestAnnounced, replicas), ledger, List.of(SERVING_KILL), at(0), at(30), TRAFFIC);
    }

    private void thumbs(String id, String response, int second) {
        ledger.accepted(new VoteLedger.AcceptedVote(id, List.of(response), at(second)));
        feedback.add(FeedbackEvent.thumbs(id, response, Rating.UP, "u", null, at(second)));
    }

    private void choice(String id, String chosen, String rejected, int second) {
        ledger.accepted(new VoteLedger.AcceptedVote(id, List.of(chosen, rejected), at(second)));
        feedback.add(FeedbackEvent.pairwise(id, chosen, rejected, "u", at(second)));
    }

    private PreferencePair pair(String chosen, String rejected, int second) {
        PreferencePair p = new PreferencePair(PreferencePair.SCHEMA, PreferencePair.idOf(chosen, rejected),
                "default", List.of(new PromptMessage("user", "hi")), "a", "b", chosen, rejected, 0, 0,
                PairSource.PAIRWISE, at(second), at(second));
        pairs.add(p);
        return p;
    }

    private static Reconciliation.Checkpoint checkpoint(long version, long parent, PreferencePair... trained) {
        return new Reconciliation.Checkpoint(version, parent,
                Arrays.stream(trained).map(PreferencePair::pairId).toList(), List.of());
    }

    private static Instant at(int second) {
        return T0.plusSeconds(second);
    }
}
