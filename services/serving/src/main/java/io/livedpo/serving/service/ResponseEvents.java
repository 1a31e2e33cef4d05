package io.livedpo.serving.service;

import io.livedpo.events.CanaryArm;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.PromptHash;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Sampling;
import io.livedpo.policy.generate.SamplingParams;
import java.time.Instant;
import java.util.List;

/** Maps a finished chat to the response events feedback joins votes with: one per choice. */
final class ResponseEvents {

    private ResponseEvents() {
    }

    /** {@code arm}: the live-canary experiment the request was routed in, or null. */
    static List<ResponseEvent> of(ChatPlan plan, ChatResult result, CanaryArm arm, Instant at) {
        List<PromptMessage> messages = plan.messages().stream().map(m -> new PromptMessage(m.role(), m.content()))
                .toList();
        String promptHash = PromptHash.of(result.policy(), messages);
        return result.choices().stream().map(c -> {
            SamplingParams s = plan.params().get(c.index());
            return new ResponseEvent(ResponseEvent.SCHEMA, c.responseId(), result.id(), result.policy(),
                    c.version(), messages, c.text(), new Sampling((double) s.temperature(), (double) s.topP(),
                    s.maxTokens(), s.seed()), promptHash, at, arm);
        }).toList();
    }
}
