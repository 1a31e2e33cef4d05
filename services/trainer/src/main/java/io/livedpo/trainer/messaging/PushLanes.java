package io.livedpo.trainer.messaging;

import io.livedpo.proto.PushCheckpointResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One lane per replica and policy: pushes to a replica go one at a time in version order, and a replica that is slow
 * or cut off (a network partition: each attempt waits out its deadline, then retries) holds up only its own lane,
 * never the announcements or the pushes to the other replicas. While a push is in flight the lane keeps only the
 * newest version waiting: a replica that fell behind needs the newest, not every version it missed one after another;
 * a version dropped that way completes with {@link Superseded}.
 */
final class PushLanes {

    /** The version was not pushed to this replica because a newer one replaced it while the lane was busy. */
    static final class Superseded extends RuntimeException {
        Superseded(long version, long by) {
            super("v" + version + " superseded by v" + by + " while an earlier push was in flight", null, false,
                    false);
        }
    }

    private record Pending(long version, Supplier<CompletableFuture<PushCheckpointResponse>> push,
                           CompletableFuture<PushCheckpointResponse> result) {
    }

    private static final class Lane {
        private boolean busy; // guarded by this
        private Pending waiting; // guarded by this
    }

    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<PushCheckpointResponse>> unfinished = ConcurrentHashMap.newKeySet();

    /**
     * Starts {@code push} now if the lane of {@code target} and {@code policy} is idle, else after the push in flight
     * (replacing any version already waiting). Completes as the push does, or with {@link Superseded}.
     */
    CompletableFuture<PushCheckpointResponse> submit(String target, String policy, long version,
                                                     Supplier<CompletableFuture<PushCheckpointResponse>> push) {
        Lane lane = lanes.computeIfAbsent(target + '\u0000' + policy, k -> new Lane());
        Pending p = new Pending(version, push, new CompletableFuture<>());
        unfinished.add(p.result());
        p.result().whenComplete((r, e) -> unfinished.remove(p.result()));
        Pending dropped = null;
        boolean start;
        synchronized (lane) {
            start = !lane.busy;
            if (start) {
                lane.busy = true;
            } else {
                dropped = lane.waiting;
                lane.waiting = p;
            }
        }
        if (dropped != null) {
            dropped.result().completeExceptionally(new Superseded(dropped.version(), version));
        }
        if (start) {
            run(lane, p);
        }
        return p.result();
    }

    private void run(Lane lane, Pending p) {
        CompletableFuture<PushCheckpointResponse> attempt;
        try {
            attempt = p.push().get();
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        attempt.whenComplete((response, error) -> {
            if (error != null) {
                p.result().completeExceptionally(error);
            } else {
                p.result().complete(response);
            }
            Pending next;
            synchronized (lane) {
                next = lane.waiting;
                lane.waiting = null;
                lane.busy = next != null;
            }
            if (next != null) {
                run(lane, next);
            }
        });
    }

    /** Waits up to {@code timeout} for every push submitted so far to finish (shutdown). */
    void awaitIdle(Duration timeout) throws InterruptedException {
        CompletableFuture<?> all = CompletableFuture.allOf(unfinished.toArray(CompletableFuture[]::new));
        try {
            all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // a failed push was logged by its outcome; one still running is cut off by the pusher's close
        }
    }
}
