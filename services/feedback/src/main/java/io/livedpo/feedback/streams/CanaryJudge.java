package io.livedpo.feedback.streams;

import io.livedpo.events.CanaryArm;
import io.livedpo.events.CanaryDecision;
import io.livedpo.events.Rating;
import io.livedpo.events.ResponseEvent;
import io.livedpo.feedback.canary.CanaryConfig;
import io.livedpo.feedback.canary.CanarySprt;
import io.livedpo.feedback.canary.CanaryTally;
import io.livedpo.feedback.service.FeedbackObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Judges live canaries, partitioned by experiment ({@code policy@candidate}): every thumbs vote on a response that
 * serving routed at random into the experiment is tallied for its arm, every A/B choice between the parent's and the
 * candidate's answer as a win or loss of the candidate, the sequential test is read after each, and the
 * first decisive reading — or a bound reached undecided — is announced once, with its evidence. The tallies are a
 * changelogged store, so the judgement survives restarts under exactly-once processing like the pairing does.
 */
final class CanaryJudge extends ContextualProcessor<String, Resolved, String, CanaryDecision> {

    static final String TALLIES = "canary-tallies";
    static final String HALVES = "canary-halves";
    private static final Logger LOG = Logger.getLogger(CanaryJudge.class);

    private final CanaryConfig config;
    private final PairingConfig pairing;
    private final FeedbackObserver observer;
    private KeyValueStore<String, CanaryTally> tallies;
    private KeyValueStore<String, CanaryHalf> halves;
    private final OldestEntry oldestHalf = new OldestEntry();
    private final OldestEntry oldestUndecided = new OldestEntry();

    CanaryJudge(CanaryConfig config, PairingConfig pairing, FeedbackObserver observer) {
        this.config = config;
        this.pairing = pairing;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<String, CanaryDecision> context) {
        super.init(context);
        tallies = context.getStateStore(TALLIES);
        halves = context.getStateStore(HALVES);
        // Wall-clock: a canary nobody votes on must still reach its time bound.
        context.schedule(pairing.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, Resolved> record) {
        ResponseEvent response = record.value().response();
        CanaryArm arm = response.canary();
        long now = context().currentSystemTimeMs();
        CanaryTally tally = tallies.get(record.key());
        if (tally == null) {
            tally = CanaryTally.start(response.policy(), arm.candidate(), arm.parent(), now);
            oldestUndecided.added(now);
        }
        if (tally.decided()) {
            return;
        }
        if (record.value().side() == Side.RATED) {
            tally = tally.vote(response.modelVersion(), record.value().feedback().rating() == Rating.UP);
        } else {
            CanaryTally withChoice = choice(record.value(), tally, now);
            if (withChoice == null) {
                tallies.put(record.key(), tally);
                return; // the first half of an A/B choice: wait for the other
            }
            tally = withChoice;
        }
        CanarySprt.Verdict verdict = tally.evaluate(config.test());
        observer.canaryEvidence(tally, config.test(), verdict.logLikelihoodRatio());
        if (verdict.outcome() != CanarySprt.Outcome.CONTINUE) {
            decide(record.key(), tally, verdict.outcome() == CanarySprt.Outcome.PROMOTE
                    ? CanaryDecision.Action.PROMOTE : CanaryDecision.Action.ROLLBACK, "sprt",
                    verdict.logLikelihoodRatio(), now);
        } else if (tally.candidateVotes() >= config.maxCandidateVotes()) {
            decide(record.key(), tally, config.onLimit(), "vote_limit", verdict.logLikelihoodRatio(), now);
        } else {
            tallies.put(record.key(), tally);
        }
    }

    /**
     * Pairs the two halves of an A/B choice; the tally with the choice once both are here and they are the parent's
     * and the candidate's answers (a choice between two answers of one version says nothing about the canary), the
     * tally unchanged for such a choice, null while the first half waits.
     */
    private CanaryTally choice(Resolved half, CanaryTally tally, long nowMs) {
        String feedbackId = half.feedback().feedbackId();
        CanaryHalf other = halves.get(feedbackId);
        boolean chosen = half.side() == Side.CHOSEN;
        if (other == null) {
            halves.put(feedbackId, new CanaryHalf(half.response().modelVersion(), chosen, nowMs));
            oldestHalf.added(nowMs);
            return null;
        }
        halves.delete(feedbackId);
        long version = half.response().modelVersion();
        if (version == other.version()) {
            return tally;
        }
        boolean candidateWon = version == tally.candidate() ? chosen : other.chosen();
        return tally.choice(candidateWon);
    }

    private void expire(long nowMs) {
        // now - t >= limit  <=>  t < now - limit + 1: the cutoffs of OldestEntry.
        long halfCutoffMs = nowMs - pairing.feedbackGrace().toMillis() + 1;
        if (oldestHalf.anyBefore(halfCutoffMs)) {
            List<String> stale = new ArrayList<>();
            long oldestKept = Long.MAX_VALUE;
            try (KeyValueIterator<String, CanaryHalf> all = halves.all()) {
                while (all.hasNext()) {
                    KeyValue<String, CanaryHalf> entry = all.next();
                    if (entry.value.heldAtMs() < halfCutoffMs) {
                        stale.add(entry.key);
                    } else {
                        oldestKept = Math.min(oldestKept, entry.value.heldAtMs());
                    }
                }
            }
            oldestHalf.swept(oldestKept);
            stale.forEach(halves::delete);
        }
        long tallyCutoffMs = nowMs - config.maxDuration().toMillis() + 1;
        if (!oldestUndecided.anyBefore(tallyCutoffMs)) {
            return;
        }
        List<KeyValue<String, CanaryTally>> due = new ArrayList<>();
        long oldestKept = Long.MAX_VALUE;
        try (KeyValueIterator<String, CanaryTally> all = tallies.all()) {
            while (all.hasNext()) {
                KeyValue<String, CanaryTally> entry = all.next();
                if (entry.value.decided()) {
                    continue;
                }
                if (entry.value.firstVoteAtMs() < tallyCutoffMs) {
                    due.add(entry);
                } else {
                    oldestKept = Math.min(oldestKept, entry.value.firstVoteAtMs());
                }
            }
        }
        // The due ones are decided below, so they leave the bound.
        oldestUndecided.swept(oldestKept);
        for (KeyValue<String, CanaryTally> entry : due) {
            CanaryTally t = entry.value;
            decide(entry.key, t, config.onLimit(), "time_limit", t.evaluate(config.test()).logLikelihoodRatio(),
                    nowMs);
        }
    }

    private void decide(String key, CanaryTally t, CanaryDecision.Action action, String reason, double llr,
                        long nowMs) {
        CanarySprt test = config.test();
        CanaryDecision decision = new CanaryDecision(CanaryDecision.SCHEMA, t.policy(), t.candidate(), t.parent(),
                action, reason, t.candidateVotes(), t.candidateUps(), t.parentVotes(), t.parentUps(), t.choices(),
                t.candidateWins(), llr,
                test.lowerBound(), test.upperBound(), test.alpha(), test.beta(), test.effect(),
                Instant.ofEpochMilli(nowMs));
        tallies.put(key, t.markDecided());
        observer.canaryDecided(decision);
        LOG.infof("live canary %s@%d vs %d: %s (%s) after %d/%d up on the candidate, %d/%d on the parent,"
                        + " %d/%d A/B wins, log-LR %.3f in [%.3f, %.3f]", t.policy(), t.candidate(), t.parent(),
                action, reason, t.candidateUps(), t.candidateVotes(), t.parentUps(), t.parentVotes(),
                t.candidateWins(), t.choices(), llr, test.lowerBound(), test.upperBound());
        context().forward(new Record<>(key, decision, nowMs));
    }
}
