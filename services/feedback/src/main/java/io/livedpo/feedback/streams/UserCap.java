package io.livedpo.feedback.streams;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.PreferencePair;
import io.livedpo.feedback.service.FeedbackObserver;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Caps the pairs one user contributes per tumbling window, partitioned by user so the cap holds across all
 * prompts; the window is by the pair's newest feedback time, so a replay caps the same pairs. Survivors go out
 * keyed by policy.
 */
final class UserCap extends ContextualProcessor<String, PreferencePair, String, PreferencePair> {

    static final String USER_CAPS = "user-caps";
    /** Feedback without a user id shares one budget: unauthenticated traffic must not out-vote real users. */
    static final String ANONYMOUS = "anonymous";

    private final PairingConfig config;
    private final FeedbackObserver observer;
    private KeyValueStore<String, UserWindow> windows;
    private final OldestEntry oldestStart = new OldestEntry();

    UserCap(PairingConfig config, FeedbackObserver observer) {
        this.config = config;
        this.observer = observer;
    }

    static String bucketOf(FeedbackEvent feedback) {
        return feedback.userId() == null ? ANONYMOUS : "user:" + feedback.userId();
    }

    @Override
    public void init(ProcessorContext<String, PreferencePair> context) {
        super.init(context);
        windows = context.getStateStore(USER_CAPS);
        context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, PreferencePair> record) {
        PreferencePair pair = record.value();
        long length = config.userCapWindow().toMillis();
        long at = pair.newestFeedbackAt().toEpochMilli();
        long start = at - Math.floorMod(at, length);
        UserWindow current = windows.get(record.key());
        if (current == null || start > current.startMs()) {
            current = new UserWindow(start, 0);
        }
        if (current.pairs() >= config.maxPairsPerUser()) {
            observer.rejected("user_cap");
            return;
        }
        windows.put(record.key(), new UserWindow(current.startMs(), current.pairs() + 1));
        oldestStart.added(current.startMs());
        observer.pairEmitted(pair.policy(), pair.source());
        context().forward(record.withKey(pair.policy()));
    }

    private void expire(long nowMs) {
        // A window ends when startMs + length < now, i.e. when it started before now - length.
        long cutoffMs = nowMs - config.userCapWindow().toMillis();
        if (!oldestStart.anyBefore(cutoffMs)) {
            return;
        }
        List<String> ended = new ArrayList<>();
        long oldestKept = Long.MAX_VALUE;
        try (KeyValueIterator<String, UserWindow> all = windows.all()) {
            while (all.hasNext()) {
                KeyValue<String, UserWindow> entry = all.next();
                if (entry.value.startMs() < cutoffMs) {
                    ended.add(entry.key);
                } else {
                    oldestKept = Math.min(oldestKept, entry.value.startMs());
                }
            }
        }
        oldestStart.swept(oldestKept);
        ended.forEach(windows::delete);
    }
}
