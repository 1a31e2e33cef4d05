package io.livedpo.serving.service;

import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.tokenizer.ChatFormat;
import io.livedpo.policy.tokenizer.ChatTemplateException;
import io.livedpo.serving.config.ServingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** Checks a chat request against the limits and the model, and turns it into a {@link ChatPlan}. */
@ApplicationScoped
public class ChatValidator {

    private static final SecureRandom SEEDS = new SecureRandom();

    private final ServingConfig.Limits limits;
    private final PolicyRegistry registry;

    public ChatValidator(ServingConfig config, PolicyRegistry registry) {
        this.limits = config.limits();
        this.registry = registry;
    }

    /**
     * @throws InvalidRequestException naming the field the client must fix
     * @throws UnknownPolicyException   for a policy this replica does not serve
     */
    public ChatPlan plan(ChatCall call) {
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
        String model = call.policy() == null || call.policy().isBlank() ? "default" : call.policy();
        String policy = ModelName.policy(model);
        Long pinnedVersion = ModelName.version(model);
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
        return new ChatPlan(policy, pinnedVersion, call.messages(), promptIds, params);
    }
}
