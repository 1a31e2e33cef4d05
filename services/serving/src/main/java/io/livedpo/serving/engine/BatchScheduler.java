package io.livedpo.serving.engine;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.generate.BatchLimits;
import io.livedpo.policy.generate.DecodeBatch;
import io.livedpo.policy.generate.DecodeEngine;
import io.livedpo.policy.generate.DecodingSequence;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.serving.support.Daemons;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Continuous (iteration-level) batching on one decoding thread: at every step, waiting requests join the running
 * batch while it has room, each running sequence gets its next token (new prompts a chunk of their prefill), and
 * finished or cancelled sequences leave at once. Sequences of any policy version share the batch: rows with different
 * adapters run in one forward over the shared base weights. One thread because the model already uses every core.
 */
@ApplicationScoped
public class BatchScheduler {

    private static final Logger LOG = Logger.getLogger(BatchScheduler.class);

    private final BatchLimits limits;
    private final DecodeEngine engine;
    private final LinkedBlockingQueue<GenerationTask> queue;
    private final AtomicBoolean running = new AtomicBoolean();
    private final DistributionSummary batchSize;
    private final Timer firstToken;
    private final Counter cancelled;
    // Sequences holding a KV-cache slot, written by the decoding thread after every change, read by metrics and tests.
    private final AtomicInteger runningSequences = new AtomicInteger();
    // Decoding thread only: one batch per base model, and the task behind each running sequence.
    private final Map<PolicyModel, DecodeBatch> batches = new IdentityHashMap<>();
    private final Map<DecodingSequence, Running> inFlight = new IdentityHashMap<>();
    private Thread thread;

    /** A task being decoded, and whether its first text has gone out yet (time to first token). */
    private static final class Running {
        final GenerationTask task;
        boolean started;

        Running(GenerationTask task) {
            this.task = task;
        }
    }

    public BatchScheduler(ServingConfig config, MeterRegistry meters) {
        this.limits = new BatchLimits(config.batching().maxRunning(), config.batching().stepTokens());
        this.engine = DecodeEngine.parse(config.batching().engine());
        this.queue = new LinkedBlockingQueue<>(config.batching().maxQueue());
        this.batchSize = DistributionSummary.builder("livedpo.serving.batch.size")
                .description("sequences decoded together in one step").publishPercentileHistogram().register(meters);
        this.firstToken = Timer.builder("livedpo.serving.time.to.first.token")
                .description("from a request's arrival to its first text").publishPercentileHistogram()
                .register(meters);
        this.cancelled = Counter.builder("livedpo.serving.sequences.cancelled")
                .description("sequences stopped mid-decoding because their client went away or gave up")
                .register(meters);
        Gauge.builder("livedpo.serving.sequences.running", runningSequences, AtomicInteger::get)
                .description("sequences holding a KV-cache slot in the running batches").register(meters);
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

    /** Sequences in the running batches (each holds a KV-cache slot), as of the decoding thread's last change. */
    public int running() {
        return runningSequences.get();
    }

    private void run() {
        // Inference only: never record autograd graphs on this thread.
        NoGrad.disableOnThisThread();
        try {
            while (running.get() || !inFlight.isEmpty() || !queue.isEmpty()) {
                try {
                    if (inFlight.isEmpty()) {
                        GenerationTask first = queue.poll(200, TimeUnit.MILLISECONDS);
                        if (first == null) {
                            continue;
                        }
                        admit(first);
                    }
                    admitWaiting();
                    step();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    LOG.error("decoding step failed; failing its sequences and continuing", e);
                    failRunning(e);
                }
            }
        } finally {
            failRunning(new CancellationException("serving is shutting down"));
        }
    }

    /** Moves queued tasks into the running batch while it has room, in arrival order. */
    private void admitWaiting() {
        GenerationTask next;
        while ((next = queue.peek()) != null && batchFor(next.version().base()).hasRoom()) {
            admit(queue.poll());
        }
    }

    private void admit(GenerationTask task) {
        if (task.cancelled()) {
            task.result().completeExceptionally(new CancellationException("cancelled before decoding"));
            return;
        }
        DecodeBatch batch = batchFor(task.version().base());
        Running r = new Running(task);
        try {
            DecodingSequence seq = batch.admit(task.promptIds(), task.params(), task.version().adapter(),
                    text -> onText(r, text));
            inFlight.put(seq, r);
            runningSequences.set(inFlight.size());
        } catch (RuntimeException e) {
            task.result().completeExceptionally(e);
        }
    }

    private void step() {
        for (Map.Entry<DecodingSequence, Running> e : inFlight.entrySet()) {
            if (e.getValue().task.cancelled()) {
                e.getKey().cancel();
            }
        }
        for (DecodeBatch batch : batches.values()) {
            if (batch.running() == 0) {
                continue;
            }
            List<DecodingSequence> left = batch.step();
            if (batch.lastDecodeRows() > 0) {
                batchSize.record(batch.lastDecodeRows());
            }
            for (DecodingSequence seq : left) {
                GenerationTask task = inFlight.remove(seq).task;
                if (seq.finished()) {
                    task.result().complete(seq.result());
                } else {
                    cancelled.increment();
                    task.result().completeExceptionally(new CancellationException("cancelled while decoding"));
                }
            }
        }
        runningSequences.set(inFlight.size());
    }

    private void onText(Running r, String text) {
        if (!r.started) {
            r.started = true;
            firstToken.record(System.nanoTime() - r.task.submittedNanos(), TimeUnit.NANOSECONDS);
        }
        r.task.onText().accept(text);
    }

    /** A failed step leaves the cache in an unknown state: fail every running sequence and start the batches anew. */
    private void failRunning(Exception cause) {
        for (Running r : new ArrayList<>(inFlight.values())) {
            r.task.result().completeExceptionally(cause);
        }
        inFlight.clear();
        runningSequences.set(0);
        batches.values().forEach(DecodeBatch::close);
        batches.clear();
    }

    private DecodeBatch batchFor(PolicyModel base) {
        return batches.computeIfAbsent(base, b -> engine.newBatch(b, limits));
    }
}
