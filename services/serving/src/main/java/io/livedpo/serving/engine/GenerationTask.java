package io.livedpo.serving.engine;

import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.SamplingParams;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One sequence to decode on a given policy version. The task owns a lease on the version and closes it when its
 * result completes, however it completes (decoded, failed, cancelled, or refused by a full queue). Only the decoding
 * thread completes a task it has started, so the adapter cannot be freed under a forward that still uses it; others
 * ask with {@link #cancel()}.
 */
public record GenerationTask(VersionLease lease, long[] promptIds, SamplingParams params, Consumer<String> onText,
                             CompletableFuture<Generation> result, long submittedNanos, AtomicBoolean cancelRequest) {

    public static GenerationTask of(VersionLease lease, long[] promptIds, SamplingParams params,
                                    Consumer<String> onText) {
        GenerationTask task = new GenerationTask(lease, promptIds, params, onText, new CompletableFuture<>(),
                System.nanoTime(), new AtomicBoolean());
        task.result.whenComplete((g, e) -> lease.close());
        return task;
    }

    public PolicyVersion version() {
        return lease.version();
    }

    /**
     * Asks the scheduler to stop decoding this sequence (its client went away or gave up): its KV-cache slot is freed
     * before the next decoding step and its result fails with a CancellationException.
     */
    public void cancel() {
        cancelRequest.set(true);
    }

    public boolean cancelled() {
        return cancelRequest.get();
    }
}
