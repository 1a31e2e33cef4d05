package io.livedpo.serving.engine;

import io.livedpo.serving.support.Daemons;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.serving.config.ServingConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Dynamic batching on one decoding thread: the first waiting request opens a batch, others for the same policy version
 * join it for up to {@code max-wait} (or until it is full), then the whole batch decodes together. Requests for other
 * versions wait for the next batch, in arrival order. One thread because the model already uses every core.
 */
@ApplicationScoped
public class BatchScheduler {

    private static final Logger LOG = Logger.getLogger(BatchScheduler.class);

    private final ServingConfig.Batching config;
    private final LinkedBlockingQueue<GenerationTask> queue;
    private final AtomicBoolean running = new AtomicBoolean();
    private final DistributionSummary batchSize;
    private final Timer firstToken;
    private Thread thread;

    public BatchScheduler(ServingConfig config, MeterRegistry meters) {
        this.config = config.batching();
        this.queue = new LinkedBlockingQueue<>(this.config.maxQueue());
        this.batchSize = DistributionSummary.builder("livedpo.serving.batch.size")
                .description("sequences decoded together").publishPercentileHistogram().register(meters);
        this.firstToken = Timer.builder("livedpo.serving.time.to.first.token")
                .description("from a request's arrival to its first text").publishPercentileHistogram()
                .register(meters);
    }

    void start(@Observes StartupEvent event) {
        running.set(true);
        thread = Daemons.start("livedpo-decoder", this::run);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running.set(false);
        if (thread != null) {
            thread.join(Duration.ofSeconds(30).toMillis());
        }
    }

    /**
     * Queues one sequence, which takes over {@code lease}; its future completes when it finishes. Refuses at once when
     * the queue is full (the task then fails, which closes the lease).
     */
    public GenerationTask submit(VersionLease lease, long[] promptIds, SamplingParams params,
                                 Consumer<String> onText) {
        GenerationTask task = GenerationTask.of(lease, promptIds, params, onText);
        if (!queue.offer(task)) {
            OverloadedException refused = new OverloadedException(queue.size());
            task.result().completeExceptionally(refused);
            throw refused;
        }
        return task;
    }

    public int queued() {
        return queue.size();
    }

    private void run() {
        // Inference only: never record autograd graphs on this thread.
        NoGrad.disableOnThisThread();
        LinkedList<GenerationTask> waiting = new LinkedList<>();
        while (running.get() || !waiting.isEmpty() || !queue.isEmpty()) {
            try {
                List<GenerationTask> batch = nextBatch(waiting);
                if (!batch.isEmpty()) {
                    decode(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("decoder loop failed; continuing", e);
            }
        }
    }

    private List<GenerationTask> nextBatch(LinkedList<GenerationTask> waiting) throws InterruptedException {
        if (waiting.isEmpty()) {
            GenerationTask first = queue.poll(200, TimeUnit.MILLISECONDS);
            if (first == null) {
                return List.of();
            }
            waiting.add(first);
        }
        PolicyVersion version = waiting.getFirst().version();
        long deadline = System.nanoTime() + config.maxWait().toNanos();
        while (count(waiting, version) < config.maxBatchSize()) {
            long left = deadline - System.nanoTime();
            GenerationTask next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            waiting.add(next);
        }
        List<GenerationTask> batch = new ArrayList<>();
        for (Iterator<GenerationTask> it = waiting.iterator(); it.hasNext() && batch.size() < config.maxBatchSize(); ) {
            GenerationTask t = it.next();
            if (t.version() == version) {
                batch.add(t);
                it.remove();
            }
        }
        return batch;
    }

    private static int count(List<GenerationTask> tasks, PolicyVersion version) {
        return (int) tasks.stream().filter(t -> t.version() == version).count();
    }

    private void decode(List<GenerationTask> batch) {
        batchSize.record(batch.size());
        PolicyVersion version = batch.get(0).version();
        List<long[]> prompts = batch.stream().map(GenerationTask::promptIds).toList();
        List<SamplingParams> params = batch.stream().map(GenerationTask::params).toList();
        boolean[] started = new boolean[batch.size()];
        try {
            Generator generator = new Generator(version.base().model(), version.base().tokenizer());
            List<Generation> out = generator.generate(prompts, params, version.adapter(), (row, delta) -> {
                GenerationTask t = batch.get(row);
                if (!started[row]) {
                    started[row] = true;
                    firstToken.record(System.nanoTime() - t.submittedNanos(), TimeUnit.NANOSECONDS);
                }
                try {
                    t.onText().accept(delta);
                } catch (RuntimeException e) {
                    // A client that went away must not fail its batch neighbours.
                    LOG.debugf("dropping streamed text of a request: %s", e.getMessage());
                }
            });
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(out.get(i));
            }
        } catch (RuntimeException e) {
            batch.forEach(t -> t.result().completeExceptionally(e));
        }
    }
}
