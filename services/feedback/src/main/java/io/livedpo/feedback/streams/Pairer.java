package io.livedpo.feedback.streams;

import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.Rating;
import io.livedpo.events.ResponseEvent;
import io.livedpo.feedback.service.FeedbackObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Makes candidate pairs from resolved feedback, partitioned by prompt: every vote and both halves of an A/B choice
 * on one prompt meet here, and so does every earlier pair of the same two responses, which makes the duplicate
 * check exact. Candidates go on keyed by the contributing user for {@link UserCap}.
 */
final class Pairer extends ContextualProcessor<String, Resolved, String, PreferencePair> {

    static final String VOTES = "thumbs-votes";
    static final String HALVES = "pairwise-halves";
    static final String EMITTED = "emitted-pairs";

    private final PairingConfig config;
    private final FeedbackObserver observer;
    private KeyValueStore<String, PromptVotes> votes;
    private KeyValueStore<String, HeldHalf> halves;
    private WindowStore<String, Long> emitted;
    private final OldestEntry oldestVote = new OldestEntry();
    private final OldestEntry oldestHalf = new OldestEntry();

    Pairer(PairingConfig config, FeedbackObserver observer) {
        this.config = config;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<String, PreferencePair> context) {
        super.init(context);
        votes = context.getStateStore(VOTES);
        halves = context.getStateStore(HALVES);
        emitted = context.getStateStore(EMITTED);
        context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, Resolved> record) {
        if (record.value().side() == Side.RATED) {
            vote(record);
        } else {
            half(record);
        }
    }

    /** A new vote pairs with the standing opposite votes on the same prompt, newest first, up to the prompt cap. */
    private void vote(Record<String, Resolved> record) {
        long now = context().currentSystemTimeMs();
        long window = config.pairingWindow().toMillis();
        PromptVotes standing = votes.get(record.key());
        standing = (standing == null ? PromptVotes.EMPTY : standing).since(now - window);
        StandingVote vote = StandingVote.of(record.value());
        observer.voteCounted(vote.response().policy(), vote.response().modelVersion(),
                vote.rating().name().toLowerCase(Locale.ROOT));

        List<StandingVote> kept = new ArrayList<>(standing.votes());
        kept.removeIf(vote::sameVoterAndResponse);
        List<Long> pairedAt = new ArrayList<>(standing.pairedAtMs());
        for (int i = kept.size() - 1; i >= 0; i--) {
            StandingVote other = kept.get(i);
            if (other.rating() != vote.rating().opposite()
                    || Math.abs(other.feedbackAtMs() - vote.feedbackAtMs()) > window) {
                continue;
            }
            StandingVote chosen = vote.rating() == Rating.UP ? vote : other;
            StandingVote rejected = chosen == vote ? other : vote;
            String problem = problemWith(chosen.response(), rejected.response());
            if (problem == null && pairedAt.size() >= config.maxPairsPerPrompt()) {
                problem = "prompt_cap";
            }
            if (problem != null) {
                observer.rejected(problem);
                continue;
            }
            emit(record, chosen.response(), rejected.response(), PairSource.THUMBS,
                    Math.max(chosen.feedbackAtMs(), rejected.feedbackAtMs()), vote.userBucket(), now);
            pairedAt.add(now);
        }
        kept.add(vote);
        votes.put(record.key(), new PromptVotes(kept, pairedAt));
        // The kept votes and earlier pair times were counted when they were written.
        oldestVote.added(Math.min(vote.feedbackAtMs(), now));
    }

    /** An A/B choice pairs as soon as both of its responses are resolved. */
    private void half(Record<String, Resolved> record) {
        Resolved arrived = record.value();
        String feedbackId = arrived.feedback().feedbackId();
        HeldHalf waiting = halves.get(feedbackId);
        if (waiting == null || waiting.resolved().side() == arrived.side()) {
            long now = context().currentSystemTimeMs();
            halves.put(feedbackId, new HeldHalf(arrived, now));
            oldestHalf.added(now);
            return;
        }
        halves.delete(feedbackId);
        ResponseEvent chosen = (arrived.side() == Side.CHOSEN ? arrived : waiting.resolved()).response();
        ResponseEvent rejected = (arrived.side() == Side.REJECTED ? arrived : waiting.resolved()).response();
        observer.voteCounted(chosen.policy(), chosen.modelVersion(), "pairwise");
        String problem = problemWith(chosen, rejected);
        if (problem != null) {
            observer.rejected(problem);
            return;
        }
        emit(record, chosen, rejected, PairSource.PAIRWISE, arrived.feedback().createdAt().toEpochMilli(),
                UserCap.bucketOf(arrived.feedback()), context().currentSystemTimeMs());
    }

    private String problemWith(ResponseEvent chosen, ResponseEvent rejected) {
        if (chosen.responseId().equals(rejected.responseId())) {
            return FeedbackFanout.SELF_PAIR;
        }
        if (chosen.completion().equals(rejected.completion())) {
            return "identical_text";
        }
        String pairId = PreferencePair.idOf(chosen.responseId(), rejected.responseId());
        try (WindowStoreIterator<Long> seen = emitted.fetch(pairId, 0L, Long.MAX_VALUE)) {
            return seen.hasNext() ? "duplicate" : null;
        }
    }

    private void emit(Record<String, Resolved> record, ResponseEvent chosen, ResponseEvent rejected, PairSource source,
                      long newestFeedbackAtMs, String userBucket, long nowMs) {
        String pairId = PreferencePair.idOf(chosen.responseId(), rejected.responseId());
        emitted.put(pairId, nowMs, newestFeedbackAtMs);
        PreferencePair pair = new PreferencePair(PreferencePair.SCHEMA, pairId, chosen.policy(), chosen.messages(),
                chosen.completion(), rejected.completion(), chosen.responseId(), rejected.responseId(),
                chosen.modelVersion(), rejected.modelVersion(), source, Instant.ofEpochMilli(nowMs),
                Instant.ofEpochMilli(newestFeedbackAtMs));
        context().forward(record.withKey(userBucket).withValue(pair));
    }

    private void expire(long nowMs) {
        expireVotes(nowMs - config.pairingWindow().toMillis());
        expireHalves(nowMs - config.feedbackGrace().toMillis());
    }

    private void expireVotes(long cutoffMs) {
        if (!oldestVote.anyBefore(cutoffMs)) {
            return;
        }
        List<KeyValue<String, PromptVotes>> changed = new ArrayList<>();
        long oldestKept = Long.MAX_VALUE;
        try (KeyValueIterator<String, PromptVotes> all = votes.all()) {
            while (all.hasNext()) {
                KeyValue<String, PromptVotes> entry = all.next();
                PromptVotes pruned = entry.value.since(cutoffMs);
                if (!pruned.equals(entry.value)) {
                    changed.add(KeyValue.pair(entry.key, pruned));
                }
                oldestKept = Math.min(oldestKept, pruned.oldestMs());
            }
        }
        oldestVote.swept(oldestKept);
        changed.forEach(entry -> {
            if (entry.value.isEmpty()) {
                votes.delete(entry.key);
            } else {
                votes.put(entry.key, entry.value);
            }
        });
    }

    private void expireHalves(long cutoffMs) {
        if (!oldestHalf.anyBefore(cutoffMs)) {
            return;
        }
        List<String> incomplete = new ArrayList<>();
        long oldestKept = Long.MAX_VALUE;
        try (KeyValueIterator<String, HeldHalf> all = halves.all()) {
            while (all.hasNext()) {
                KeyValue<String, HeldHalf> entry = all.next();
                if (entry.value.heldAtMs() < cutoffMs) {
                    incomplete.add(entry.key);
                } else {
                    oldestKept = Math.min(oldestKept, entry.value.heldAtMs());
                }
            }
        }
        oldestHalf.swept(oldestKept);
        incomplete.forEach(feedbackId -> {
            halves.delete(feedbackId);
            // The other side's response never arrived (counted as unmatched where it was looked up) or belongs
            // to another prompt, which an A/B choice must not span.
            observer.rejected("choice_incomplete");
        });
    }
}
