package io.livedpo.serving.engine;

import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.SamplingParams;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One sequence to decode on a given policy version. The task owns a lease on the version and closes it when its
 * result completes, however it completes (decoded, failed, or refused by a full queue).
 */
public record GenerationTask(VersionLease lease, long[] promptIds, SamplingParams params, Consumer<String> onText,
                             CompletableFuture<Generation> result, long submittedNanos) {

    public static GenerationTask of(VersionLease lease, long[] promptIds, SamplingParams params,
                                    Consumer<String> onText) {
        GenerationTask task = new GenerationTask(lease, promptIds, params, onText, new CompletableFuture<>(),
                System.nanoTime());
        task.result.whenComplete((g, e) -> lease.close());
        return task;
    }

    public PolicyVersion version() {
        return lease.version();
    }
}
