package io.livedpo.policy.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's own Jinja chat template, rendered as transformers' {@code apply_chat_template} renders it (messages,
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}, no tools). The end-of-turn token is found by
 * rendering a probe answer and taking the first added token the template writes after it.
 */
final class JinjaChatTemplate implements ChatFormat {

    private static final String PROBE = "PROBE-ANSWER-51c7";

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Optional<String> endOfTurn;

    JinjaChatTemplate(String source, String bosToken, String eosToken, Iterable<String> addedTokens) {
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.endOfTurn = probeEndOfTurn(addedTokens);
    }

    /** The added token that closes an assistant turn ({@code <|im_end|>}, {@code <|eot_id|>}, {@code </s>}, ...). */
    Optional<String> endOfTurn() {
        return endOfTurn;
    }

    @Override
    public String prompt(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        return render(messages, true);
    }

    /**
     * As TRL: the conversation with the answer rendered, minus the rendered prompt; cut after the end-of-turn token,
     * since generation stops on it and never sees what the template writes after it.
     */
    @Override
    public String completion(List<ChatMessage> messages, String answer) {
        String prompt = prompt(messages);
        List<ChatMessage> answered = new ArrayList<>(messages);
        answered.add(new ChatMessage("assistant", answer));
        String full = render(answered, false);
        if (!full.startsWith(prompt)) {
            throw new ChatTemplateException("the chat template renders the conversation differently once it is "
                    + "answered, so the answer cannot be split from the prompt", true);
        }
        String completion = full.substring(prompt.length());
        int end = endOfTurn.map(completion::lastIndexOf).orElse(-1);
        return end < 0 ? completion : completion.substring(0, end + endOfTurn.get().length());
    }

    @Override
    public String answer(String generated) {
        return generated;
    }

    @Override
    public List<String> stops() {
        return List.of();
    }

    private String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            turns.add(Map.of("role", m.role(), "content", m.content()));
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        context.put("tools", null);
        context.put("documents", null);
        return JinjaEngine.render(source, context);
    }

    private Optional<String> probeEndOfTurn(Iterable<String> addedTokens) {
        String suffix;
        try {
            List<ChatMessage> asked = List.of(new ChatMessage("user", "probe question"));
            List<ChatMessage> answered = List.of(asked.get(0), new ChatMessage("assistant", PROBE));
            String full = render(answered, false);
            int at = full.lastIndexOf(PROBE);
            if (at < 0) {
                return Optional.empty();
            }
            suffix = full.substring(at + PROBE.length());
        } catch (ChatTemplateException e) {
            if (!e.refused()) {
                throw e; // a broken template is refused when the model loads, not on every request
            }
            return Optional.empty(); // a template that refuses the probe has no end-of-turn we can name
        }
        String first = null;
        int firstAt = Integer.MAX_VALUE;
        for (String token : addedTokens) {
            int at = token.isEmpty() ? -1 : suffix.indexOf(token);
            if (at >= 0 && (at < firstAt || at == firstAt && token.length() > first.length())) {
                first = token;
                firstAt = at;
            }
        }
        return Optional.ofNullable(first);
    }
}
