package io.livedpo.feedback.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.CanaryArm;
import io.livedpo.events.CanaryDecision;
import io.livedpo.events.Rating;
import io.livedpo.events.ResponseEvent;
import io.livedpo.feedback.canary.CanaryConfig;
import io.livedpo.feedback.canary.CanarySprt;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The judge in the real topology (TopologyTestDriver): what counts, each bound, one decision per candidate. */
class CanaryJudgeTest {

    private static final CanaryArm ARM = new CanaryArm(2, 1);

    private static CanaryConfig config(long maxCandidateVotes, CanaryDecision.Action onLimit) {
        return new CanaryConfig(new CanarySprt(0.05, 0.1, 0.1, 20), maxCandidateVotes, Duration.ofHours(1), onLimit);
    }

    /** A response of the experiment (or outside it: {@code arm} null) and one thumbs vote on it. */
    private static void vote(TopologyHarness h, int i, long version, CanaryArm arm, Rating rating) {
        ResponseEvent plain = TopologyHarness.response("r" + i + "-" + version, "prompt " + i, "answer " + i, version);
        h.send(new ResponseEvent(plain.schema(), plain.responseId(), plain.conversationId(), plain.policy(),
                plain.modelVersion(), plain.messages(), plain.completion(), null, plain.promptHash(),
                plain.createdAt(), arm));
        h.thumbs(plain.responseId(), rating, "user-" + i, Duration.ZERO);
    }

    @Test
    void aCandidateThatLosesEveryVoteIsRolledBackOnceWithItsEvidence() {
        try (TopologyHarness h = new TopologyHarness(TopologyHarness.config(), config(1000, CanaryDecision.Action.PROMOTE))) {
            for (int i = 0; i < 40; i++) {
                vote(h, i, 2, ARM, Rating.DOWN);
                vote(h, i, 1, ARM, Rating.UP);
                // Untagged votes (a pinned request, or before the canary) never count.
                vote(h, 1000 + i, 2, null, Rating.UP);
            }
            List<TestRecord<String, CanaryDecision>> out = h.decisions.readRecordsToList();
            assertEquals(1, out.size(), "one decision per candidate, later votes ignored");
            CanaryDecision d = out.get(0).value();
            assertEquals("default@2", out.get(0).key());
            assertEquals(CanaryDecision.Action.ROLLBACK, d.action());
            assertEquals("sprt", d.reason());
            assertEquals(20, d.candidateVotes(), "decided at the first reading allowed: 20 votes per arm");
            assertEquals(0, d.candidateUps());
            assertEquals(1, d.parentRate());
            assertTrue(d.logLikelihoodRatio() <= d.lowerBound());
            assertEquals(1, h.counter("livedpo_feedback_canary_decisions", "action", "rollback"));
            // The dashboard's "Live canary" row: the experiment, its evidence per arm and the statistic between its
            // bounds, as they stood at the deciding vote.
            assertEquals(2, gauge(h, "livedpo_feedback_canary_candidate_version"));
            assertEquals(1, gauge(h, "livedpo_feedback_canary_parent_version"));
            assertEquals(20, h.registry.get("livedpo_feedback_canary_votes").tag("arm", "candidate").gauge().value());
            assertEquals(20, h.registry.get("livedpo_feedback_canary_votes").tag("arm", "parent").gauge().value());
            assertEquals(0, h.registry.get("livedpo_feedback_canary_thumbs_up_ratio").tag("arm", "candidate").gauge()
                    .value());
            assertEquals(1, h.registry.get("livedpo_feedback_canary_thumbs_up_ratio").tag("arm", "parent").gauge()
                    .value());
            assertEquals(d.logLikelihoodRatio(), gauge(h, "livedpo_feedback_canary_log_likelihood_ratio"), 1e-12);
            assertEquals(d.upperBound(), gauge(h, "livedpo_feedback_canary_upper_bound"), 1e-12);
            assertEquals(d.lowerBound(), gauge(h, "livedpo_feedback_canary_lower_bound"), 1e-12);
            assertEquals(Math.log(0.9 / 0.05), gauge(h, "livedpo_feedback_canary_upper_bound"), 1e-12);
            assertEquals(Math.log(0.1 / 0.95), gauge(h, "livedpo_feedback_canary_lower_bound"), 1e-12);
        }
    }

    private static double gauge(TopologyHarness h, String name) {
        return h.registry.get(name).tag("policy", "default").gauge().value();
    }

    @Test
    void abChoicesBetweenParentAndCandidateCountAsWinsAndLossesAndSameVersionChoicesDoNot() {
        try (TopologyHarness h = new TopologyHarness(TopologyHarness.config(), config(1000, CanaryDecision.Action.ROLLBACK))) {
            for (int i = 0; i < 40 && h.decisions.isEmpty(); i++) {
                ResponseEvent candidate = tagged("c" + i, i, 2);
                ResponseEvent parent = tagged("p" + i, i, 1);
                ResponseEvent sameVersion = tagged("s" + i, i, 1);
                h.send(candidate);
                h.send(parent);
                h.send(sameVersion);
                h.choice(candidate.responseId(), parent.responseId(), "user-" + i); // the candidate wins
                h.choice(parent.responseId(), sameVersion.responseId(), "other-" + i); // says nothing
            }
            List<TestRecord<String, CanaryDecision>> out = h.decisions.readRecordsToList();
            assertEquals(1, out.size());
            CanaryDecision d = out.get(0).value();
            assertEquals(CanaryDecision.Action.PROMOTE, d.action());
            assertEquals(d.choices(), d.candidateWins(), "every counted choice was a candidate win");
            // ln(0.5/0.45) per win against an upper bound of ln(0.9/0.05): 28 wins.
            assertEquals(28, d.choices());
            assertEquals(0, d.candidateVotes() + d.parentVotes());
            assertEquals(28, gauge(h, "livedpo_feedback_canary_choices"));
            assertEquals(28, gauge(h, "livedpo_feedback_canary_candidate_wins"));
        }
    }

    private static ResponseEvent tagged(String id, int i, long version) {
        ResponseEvent plain = TopologyHarness.response(id, "ab prompt " + i, "answer " + id, version);
        return new ResponseEvent(plain.schema(), plain.responseId(), plain.conversationId(), plain.policy(),
                plain.modelVersion(), plain.messages(), plain.completion(), null, plain.promptHash(),
                plain.createdAt(), ARM);
    }

    @Test
    void anUndecidedCanaryTakesTheDefaultActionAtTheVoteBound() {
        try (TopologyHarness h = new TopologyHarness(TopologyHarness.config(), config(30, CanaryDecision.Action.PROMOTE))) {
            // Candidate from 45 % (at vote 20) to 60 % (at 30) against 50 %: the statistic stays between the bounds.
            for (int i = 0; i < 30; i++) {
                vote(h, i, 1, ARM, i % 2 == 0 ? Rating.UP : Rating.DOWN);
                vote(h, i, 2, ARM, i % 20 < 9 ? Rating.UP : Rating.DOWN);
            }
            List<TestRecord<String, CanaryDecision>> out = h.decisions.readRecordsToList();
            assertEquals(1, out.size());
            assertEquals(CanaryDecision.Action.PROMOTE, out.get(0).value().action());
            assertEquals("vote_limit", out.get(0).value().reason());
            assertEquals(30, out.get(0).value().candidateVotes());
        }
    }

    @Test
    void anUndecidedCanaryTakesTheDefaultActionAtTheTimeBoundEvenWithoutVotes() {
        try (TopologyHarness h = new TopologyHarness(TopologyHarness.config(), config(1000, CanaryDecision.Action.ROLLBACK))) {
            for (int i = 0; i < 5; i++) {
                vote(h, i, 2, ARM, Rating.UP);
                vote(h, i, 1, ARM, Rating.UP);
            }
            h.driver.advanceWallClockTime(Duration.ofMinutes(59));
            assertTrue(h.decisions.isEmpty());
            h.driver.advanceWallClockTime(Duration.ofMinutes(2));
            List<TestRecord<String, CanaryDecision>> out = h.decisions.readRecordsToList();
            assertEquals(1, out.size());
            assertEquals(CanaryDecision.Action.ROLLBACK, out.get(0).value().action());
            assertEquals("time_limit", out.get(0).value().reason());
            assertEquals(5, out.get(0).value().candidateVotes());
        }
    }
}
