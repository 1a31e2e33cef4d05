package io.livedpo.serving.service;

import io.livedpo.events.CanaryArm;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.tokenizer.ChatFormat;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.serving.engine.BatchScheduler;
import io.livedpo.serving.engine.GenerationTask;
import io.livedpo.serving.engine.OverloadedException;
import io.livedpo.serving.engine.VersionLease;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The chat use case behind both APIs: a validated plan, routed to one version (the one it pinned, or the active one,
 * or during a live canary the candidate or its parent at random), decoded as n choices on that one version, then one
 * response event per choice, tagged with the canary experiment it took part in.
 */
@ApplicationScoped
public class ChatService {

    private final Duration requestTimeout;
    private final double candidateShare;
    private final boolean abPairs;
    private final ChatValidator validator;
    private final PolicyRegistry registry;
    private final BatchScheduler scheduler;
    private final ResponseSink publisher;
    private final ChatMetrics metrics;

    public ChatService(ServingConfig config, ChatValidator validator, PolicyRegistry registry,
                       BatchScheduler scheduler, ResponseSink publisher, ChatMetrics metrics) {
        this.requestTimeout = config.limits().requestTimeout();
        this.candidateShare = config.canary().share();
        this.abPairs = config.canary().abPairs();
        this.validator = validator;
        this.registry = registry;
        this.scheduler = scheduler;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    /** A validated request holding leases on its version(s) until {@link #execute} or {@link #close()}. */
    public static final class Prepared implements AutoCloseable {
        private final ChatPlan plan;
        private final Routed routed;
        private final CanaryArm arm;
        private final String id = "chatcmpl-" + UUID.randomUUID();
        private final List<String> responseIds;
        private final long created = Instant.now().getEpochSecond();
        private final long startNanos = System.nanoTime();
        private final List<GenerationTask> tasks = new java.util.concurrent.CopyOnWriteArrayList<>();

        Prepared(ChatPlan plan, Routed routed) {
            this.plan = plan;
            this.routed = routed;
            this.arm = routed.arm();
            this.responseIds = plan.params().stream().map(x -> UUID.randomUUID().toString()).toList();
        }

        /** The response id of choice {@code index}, known before decoding so streamed chunks can carry it. */
        public String responseId(int index) {
            return responseIds.get(index);
        }

        public String id() {
            return id;
        }

        /**
         * {@code policy@version} that answers: one label, or for a live canary's A/B pair both, comma-separated in
         * choice order.
         */
        public String model() {
            return routed.leases().stream().map(l -> l.version().label()).distinct()
                    .collect(java.util.stream.Collectors.joining(","));
        }

        /** {@code policy@version} that answers choice {@code index}. */
        public String model(int index) {
            return routed.lease(index).version().label();
        }

        /** The version that answers choice {@code index}. */
        public long version(int index) {
            return routed.lease(index).version().version();
        }

        public long created() {
            return created;
        }

        public int choices() {
            return plan.params().size();
        }

        /** Stops decoding this request's choices (its client went away); their KV-cache slots are freed at once. */
        public void cancel() {
            tasks.forEach(GenerationTask::cancel);
        }

        @Override
        public void close() {
            routed.leases().forEach(VersionLease::close);
        }
    }

    /** Validates the request and pins the policy's active version; errors are the client's to fix. */
    public Prepared prepare(ChatCall call) {
        ChatPlan plan;
        try {
            plan = validator.plan(call);
        } catch (InvalidRequestException e) {
            metrics.outcome("invalid");
            throw e;
        } catch (UnknownPolicyException e) {
            metrics.outcome("not_found");
            throw e;
        }
        try {
            return new Prepared(plan, plan.pinnedVersion() == null
                    ? registry.route(plan.policy(), candidateShare, abPairs && plan.params().size() == 2)
                    : new Routed(registry.acquire(plan.policy(), plan.pinnedVersion()), null));
        } catch (VersionNotLoadedException e) {
            metrics.outcome("not_found");
            throw e;
        }
    }

    /**
     * Decodes every choice, handing streamed text to {@code onDelta(choiceIndex, text)} on the decoding thread (the
     * callee must not block), then emits the response events. Closes the prepared request.
     */
    public ChatResult execute(Prepared p, BiConsumer<Integer, String> onDelta) {
        submit(p, onDelta);
        return await(p);
    }

    /**
     * Queues every choice for decoding, with streamed text going to {@code onDelta(choiceIndex, text)} on the
     * decoding thread (the callee must not block). A full queue refuses here, before any answer exists: an
     * {@link OverloadedException} (429 / {@code RESOURCE_EXHAUSTED}), thrown before a stream's status line is written,
     * with the prepared request closed. Then {@link #await}.
     */
    public void submit(Prepared p, BiConsumer<Integer, String> onDelta) {
        try {
            AnswerDeltas deltas = new AnswerDeltas(registry.base().tokenizer().chat(), p.choices(), onDelta);
            for (int i = 0; i < p.choices(); i++) {
                int index = i;
                // Each task holds its own lease: a choice still decoding keeps the version alive after a timeout.
                p.tasks.add(scheduler.submit(p.routed.lease(i).share(), p.plan.promptIds(), p.plan.params().get(i),
                        d -> deltas.accept(index, d)));
            }
        } catch (OverloadedException e) {
            p.cancel(); // choices queued before the refusal would decode for nobody
            p.close();
            metrics.outcome("overloaded");
            throw e;
        } catch (RuntimeException e) {
            p.cancel();
            p.close();
            metrics.outcome("error");
            throw e;
        }
    }

    /** Waits for the choices {@link #submit} queued, then emits the response events. Closes the prepared request. */
    public ChatResult await(Prepared p) {
        try (p) {
            ChatResult result = collect(p, registry.base().tokenizer().chat());
            ResponseEvents.of(p.plan, result, p.arm, Instant.now()).forEach(publisher::publish);
            metrics.completed(result, p.startNanos);
            return result;
        } catch (TimeoutException e) {
            p.cancel();
            metrics.outcome("timeout");
            throw new ServiceUnavailableException("request timed out after " + requestTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.outcome("error");
            throw new ServiceUnavailableException("interrupted");
        } catch (ExecutionException e) {
            metrics.outcome("error");
            throw new IllegalStateException("decoding failed", e.getCause());
        } catch (CancellationException e) {
            metrics.outcome("cancelled"); // its client went away (Prepared.cancel)
            throw e;
        }
    }

    private ChatResult collect(Prepared p, ChatFormat chat)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<GenerationTask> tasks = p.tasks;
        List<ChatResult.Choice> choices = new ArrayList<>();
        long deadline = p.startNanos + requestTimeout.toNanos();
        for (int i = 0; i < tasks.size(); i++) {
            Generation g = tasks.get(i).result().get(Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
            choices.add(new ChatResult.Choice(i, chat.answer(g.text()), g.finishReason(),
                    p.responseId(i), g.ids().length, p.version(i)));
        }
        return new ChatResult(p.id, p.plan.policy(), p.model(), p.created,
                p.plan.promptIds().length, choices);
    }
}
