package io.livedpo.serving.engine;

import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.serving.service.PolicyVersion;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One sequence to decode on a given policy version. The task owns one reference to the version and gives it back
 * when it completes, however it completes.
 */
public record GenerationTask(PolicyVersion version, long[] promptIds, SamplingParams params, Consumer<String> onText,
                             CompletableFuture<Generation> result, long submittedNanos) {

    public static GenerationTask of(PolicyVersion version, long[] promptIds, SamplingParams params,
                                    Consumer<String> onText) {
        GenerationTask task = new GenerationTask(version, promptIds, params, onText, new CompletableFuture<>(),
                System.nanoTime());
        task.result.whenComplete((g, e) -> version.release());
        return task;
    }
}
