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
 * serving routed at random into the experiment is tallied for its arm, the sequential test is read after each, and the
 * first decisive reading — or a bound reached undecided — is announced once, with its evidence. The tallies are a
 * changelogged store, so the judgement survives restarts under exactly-once processing like the pairing does.
 */
final class CanaryJudge extends ContextualProcessor<String, Resolved, String, CanaryDecision> {

    static final String TALLIES = "canary-tallies";
    private static final Logger LOG = Logger.getLogger(CanaryJudge.class);

    private final CanaryConfig config;
    private final java.time.Duration punctuateInterval;
    private final FeedbackObserver observer;
    private KeyValueStore<String, CanaryTally> tallies;

    CanaryJudge(CanaryConfig config, java.time.Duration punctuateInterval, FeedbackObserver observer) {
        this.config = config;
        this.punctuateInterval = punctuateInterval;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<String, CanaryDecision> context) {
        super.init(context);
        tallies = context.getStateStore(TALLIES);
        // Wall-clock: a canary nobody votes on must still reach its time bound.
        context.schedule(punctuateInterval, PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, Resolved> record) {
        ResponseEvent response = record.value().response();
        CanaryArm arm = response.canary();
        long now = context().currentSystemTimeMs();
        CanaryTally tally = tallies.get(record.key());
        if (tally == null) {
            tally = CanaryTally.start(response.policy(), arm.candidate(), arm.parent(), now);
        }
        if (tally.decided()) {
            return;
        }
        tally = tally.vote(response.modelVersion(), record.value().feedback().rating() == Rating.UP);
        CanarySprt.Verdict verdict = config.test().evaluate(tally.candidateVotes(), tally.candidateUps(),
                tally.parentVotes(), tally.parentUps());
        observer.canaryEvidence(tally, verdict.logLikelihoodRatio());
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

    private void expire(long nowMs) {
        List<KeyValue<String, CanaryTally>> due = new ArrayList<>();
        try (KeyValueIterator<String, CanaryTally> all = tallies.all()) {
            all.forEachRemaining(entry -> {
                if (!entry.value.decided()
                        && nowMs - entry.value.firstVoteAtMs() >= config.maxDuration().toMillis()) {
                    due.add(entry);
                }
            });
        }
        for (KeyValue<String, CanaryTally> entry : due) {
            CanaryTally t = entry.value;
            decide(entry.key, t, config.onLimit(), "time_limit", config.test().logLikelihoodRatio(t.candidateVotes(),
                    t.candidateUps(), t.parentVotes(), t.parentUps()), nowMs);
        }
    }

    private void decide(String key, CanaryTally t, CanaryDecision.Action action, String reason, double llr,
                        long nowMs) {
        CanarySprt test = config.test();
        CanaryDecision decision = new CanaryDecision(CanaryDecision.SCHEMA, t.policy(), t.candidate(), t.parent(),
                action, reason, t.candidateVotes(), t.candidateUps(), t.parentVotes(), t.parentUps(), llr,
                test.lowerBound(), test.upperBound(), test.alpha(), test.beta(), test.effect(),
                Instant.ofEpochMilli(nowMs));
        tallies.put(key, t.markDecided());
        observer.canaryDecided(decision);
        LOG.infof("live canary %s@%d vs %d: %s (%s) after %d/%d up on the candidate, %d/%d on the parent,"
                        + " log-LR %.3f in [%.3f, %.3f]", t.policy(), t.candidate(), t.parent(), action, reason,
                t.candidateUps(), t.candidateVotes(), t.parentUps(), t.parentVotes(), llr, test.lowerBound(),
                test.upperBound());
        context().forward(new Record<>(key, decision, nowMs));
    }
}
