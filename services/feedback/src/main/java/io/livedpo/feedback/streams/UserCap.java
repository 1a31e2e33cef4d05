package io.livedpo.feedback.streams;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.PreferencePair;
import io.livedpo.feedback.service.FeedbackObserver;
import java.util.ArrayList;
import java.util.List;
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
        observer.pairEmitted(pair.policy(), pair.source());
        context().forward(record.withKey(pair.policy()));
    }

    private void expire(long nowMs) {
        List<String> ended = new ArrayList<>();
        try (KeyValueIterator<String, UserWindow> all = windows.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.startMs() + config.userCapWindow().toMillis() < nowMs) {
                    ended.add(entry.key);
                }
            });
        }
        ended.forEach(windows::delete);
    }
}
