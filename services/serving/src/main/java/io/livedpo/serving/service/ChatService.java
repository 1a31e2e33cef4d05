package io.livedpo.serving.service;

import io.livedpo.events.PromptHash;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Sampling;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.tokenizer.ChatFormat;
import io.livedpo.policy.tokenizer.ChatTemplateException;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.serving.engine.BatchScheduler;
import io.livedpo.serving.engine.GenerationTask;
import io.livedpo.serving.messaging.ResponsePublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The chat use case behind both APIs: validate, apply the chat template, decode n choices on the policy's active
 * version, emit one response event per choice. Every choice of a request is decoded on the same version.
 */
@ApplicationScoped
public class ChatService {

    private static final SecureRandom SEEDS = new SecureRandom();

    private final ServingConfig config;
    private final PolicyRegistry registry;
    private final BatchScheduler scheduler;
    private final ResponsePublisher publisher;
    private final MeterRegistry meters;
    private final Timer duration;
    private final Counter generatedTokens;

    public ChatService(ServingConfig config, PolicyRegistry registry, BatchScheduler scheduler,
                       ResponsePublisher publisher, MeterRegistry meters) {
        this.config = config;
        this.registry = registry;
        this.scheduler = scheduler;
        this.publisher = publisher;
        this.meters = meters;
        this.duration = Timer.builder("livedpo.serving.request.duration").description("chat request latency")
                .publishPercentileHistogram().register(meters);
        this.generatedTokens = Counter.builder("livedpo.serving.generated.tokens")
                .description("completion tokens generated").register(meters);
    }

    /** A validated request holding its policy version until {@link #execute} or {@link Prepared#close()}. */
    public final class Prepared implements AutoCloseable {
        final ChatCall call;
        final List<ChatMessage> messages;
        final PolicyVersion version;
        final long[] promptIds;
        final List<SamplingParams> params;
        final String id = "chatcmpl-" + UUID.randomUUID();
        final List<String> responseIds;
        final long created = Instant.now().getEpochSecond();
        final long startNanos = System.nanoTime();

        Prepared(ChatCall call, List<ChatMessage> messages, PolicyVersion version, long[] promptIds,
                 List<SamplingParams> params) {
            this.call = call;
            this.messages = messages;
            this.version = version;
            this.promptIds = promptIds;
            this.params = params;
            this.responseIds = params.stream().map(x -> UUID.randomUUID().toString()).toList();
        }

        /** The response id of choice {@code index}, known before decoding so streamed chunks can carry it. */
        public String responseId(int index) {
            return responseIds.get(index);
        }

        public String id() {
            return id;
        }

        public String model() {
            return version.label();
        }

        public long version() {
            return version.version();
        }

        public long created() {
            return created;
        }

        public int choices() {
            return params.size();
        }

        @Override
        public void close() {
            version.release();
        }
    }

    /** Validates the request and pins the policy's active version; errors are the client's to fix. */
    public Prepared prepare(ChatCall call) {
        try {
            return validate(call);
        } catch (InvalidRequestException e) {
            count("invalid");
            throw e;
        } catch (UnknownPolicyException e) {
            count("not_found");
            throw e;
        }
    }

    private Prepared validate(ChatCall call) {
        ServingConfig.Limits limits = config.limits();
        if (call.messages() == null || call.messages().isEmpty()) {
            throw new InvalidRequestException("messages", "messages must be a non-empty list");
        }
        float temperature = call.temperature() == null ? 1f : call.temperature();
        if (!(temperature >= 0 && temperature <= 2)) {
            throw new InvalidRequestException("temperature", "temperature must be between 0 and 2");
        }
        float topP = call.topP() == null ? 1f : call.topP();
        if (!(topP > 0 && topP <= 1)) {
            throw new InvalidRequestException("top_p", "top_p must be in (0, 1]");
        }
        int maxTokens = call.maxTokens() == null ? limits.defaultMaxTokens() : call.maxTokens();
        if (maxTokens < 1 || maxTokens > limits.maxTokens()) {
            throw new InvalidRequestException("max_tokens", "max_tokens must be between 1 and " + limits.maxTokens());
        }
        int n = call.n() == null ? 1 : call.n();
        if (n < 1 || n > limits.maxChoices()) {
            throw new InvalidRequestException("n", "n must be between 1 and " + limits.maxChoices());
        }
        List<String> stop = call.stop() == null ? List.of() : call.stop();
        if (stop.size() > 4 || stop.stream().anyMatch(s -> s == null || s.isEmpty())) {
            throw new InvalidRequestException("stop", "stop must be at most 4 non-empty strings");
        }
        String policy = call.policy() == null || call.policy().isBlank() ? "default" : call.policy();
        if (!registry.policies().contains(policy)) {
            throw new UnknownPolicyException(policy);
        }
        ChatFormat chat = registry.base().tokenizer().chat();
        String prompt;
        try {
            prompt = chat.prompt(call.messages());
        } catch (ChatTemplateException e) {
            throw new InvalidRequestException("messages", "the model's chat template refuses these messages: "
                    + e.getMessage());
        }
        long[] promptIds = registry.base().tokenizer().encode(prompt);
        int context = registry.base().model().config().contextLength();
        if (promptIds.length >= context) {
            throw new InvalidRequestException("messages", "prompt is " + promptIds.length
                    + " tokens; the model's context is " + context + " and must leave room for the answer");
        }
        List<String> stops = new ArrayList<>(stop);
        stops.addAll(chat.stops());
        long seed = call.seed() != null ? call.seed() : SEEDS.nextLong();
        List<SamplingParams> params = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Choices differ by seed only, so an A/B pair is two draws from the same policy.
            params.add(new SamplingParams(temperature, 0, topP, maxTokens, seed + i, stops));
        }
        return new Prepared(call, call.messages(), registry.acquireActive(policy), promptIds, params);
    }

    /**
     * Decodes every choice, handing streamed text to {@code onDelta(choiceIndex, text)} on the decoding thread (the
     * callee must not block), then emits the response events. Releases the prepared request.
     */
    public ChatResult execute(Prepared p, BiConsumer<Integer, String> onDelta) {
        try (p) {
            List<GenerationTask> tasks = new ArrayList<>();
            ChatFormat chat = registry.base().tokenizer().chat();
            BiConsumer<Integer, String> answerDeltas = withoutTemplateSpace(chat, p.params.size(), onDelta);
            for (int i = 0; i < p.params.size(); i++) {
                int index = i;
                if (!p.version.tryAcquire()) {
                    throw new IllegalStateException("pinned version was freed");
                }
                tasks.add(scheduler.submit(p.version, p.promptIds, p.params.get(i), d -> answerDeltas.accept(index, d)));
            }
            List<ChatResult.Choice> choices = new ArrayList<>();
            long deadline = p.startNanos + config.limits().requestTimeout().toNanos();
            for (int i = 0; i < tasks.size(); i++) {
                Generation g = tasks.get(i).result().get(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                choices.add(new ChatResult.Choice(i, chat.answer(g.text()), g.finishReason(),
                        p.responseId(i), g.ids().length));
            }
            ChatResult result = new ChatResult(p.id, p.version.policy(), p.version.version(), p.model(), p.created,
                    p.promptIds.length, choices);
            publish(p, result);
            generatedTokens.increment(result.completionTokens());
            duration.record(System.nanoTime() - p.startNanos, TimeUnit.NANOSECONDS);
            count("ok");
            return result;
        } catch (TimeoutException e) {
            count("timeout");
            throw new ServiceUnavailableException("request timed out after " + config.limits().requestTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            count("error");
            throw new ServiceUnavailableException("interrupted");
        } catch (ExecutionException e) {
            count("error");
            throw new IllegalStateException("decoding failed", e.getCause());
        } catch (io.livedpo.serving.engine.OverloadedException e) {
            count("overloaded");
            throw e;
        }
    }

    /**
     * Streams what the answer will be: the completion minus the chat template's leading space, so the streamed deltas
     * add up to exactly the message content of the whole response. Called on the decoding thread only.
     */
    private static BiConsumer<Integer, String> withoutTemplateSpace(ChatFormat chat, int choices,
                                                                    BiConsumer<Integer, String> onDelta) {
        boolean[] started = new boolean[choices];
        return (index, delta) -> {
            if (!started[index] && !delta.isEmpty()) {
                started[index] = true;
                delta = chat.answer(delta);
            }
            if (!delta.isEmpty()) {
                onDelta.accept(index, delta);
            }
        };
    }

    private void publish(Prepared p, ChatResult result) {
        List<io.livedpo.events.ChatMessage> messages = p.messages.stream()
                .map(m -> new io.livedpo.events.ChatMessage(m.role(), m.content())).toList();
        String promptHash = PromptHash.of(result.policy(), messages);
        Instant now = Instant.now();
        for (ChatResult.Choice c : result.choices()) {
            SamplingParams s = p.params.get(c.index());
            publisher.publish(new ResponseEvent(ResponseEvent.SCHEMA, c.responseId(), result.id(), result.policy(),
                    result.version(), messages, c.text(), new Sampling((double) s.temperature(), (double) s.topP(),
                    s.maxTokens(), s.seed()), promptHash, now));
        }
    }

    private void count(String outcome) {
        meters.counter("livedpo.serving.requests", "outcome", outcome).increment();
    }
}
