package io.livedpo.local;

import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.ChatFormat;
import io.livedpo.policy.tokenizer.ChatMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * KL(policy‖reference) of a served version, estimated apart from the trainer: the answers that version actually served
 * (read back from the responses topic) are samples of the policy, so the mean over them of
 * {@code log π_v(y|x) − log π_ref(y|x)} is a Monte-Carlo estimate of the KL. The trainer's own number comes from its
 * own samples on fixed probe prompts; this one shares neither its prompts nor its code path beyond the scorer.
 * Each answer is scored as the trainer trains on it: the template's completion through its end-of-turn.
 */
final class ServedKl {

    /** The estimate over {@code answers} served answers and its standard error. */
    record Estimate(long version, int answers, double kl, double standardError) {
        @Override
        public String toString() {
            return String.format("v%d: KL %.2f ± %.2f nats over %d served answers", version, kl, standardError,
                    answers);
        }
    }

    private ServedKl() {
    }

    /** Every response event on the topic so far, as a reader of committed data sees it. */
    static List<ResponseEvent> served(String bootstrapServers) {
        return TopicAudit.readAll(bootstrapServers, Topics.RESPONSES, new JsonDeserializer<>(ResponseEvent.class))
                .stream().filter(Objects::nonNull).toList();
    }

    /** Scores version {@code version}'s served answers under the base model with and without its adapter. */
    static Estimate estimate(Path modelDir, Path adapterDir, long version, List<ResponseEvent> served)
            throws IOException {
        try (PolicyModel base = PolicyModel.open(modelDir);
             LoraAdapter adapter = base.loadAdapter(adapterDir);
             NoGrad off = NoGrad.enter()) {
            ChatFormat chat = base.tokenizer().chat();
            int context = base.model().config().contextLength();
            List<PromptCompletion> items = new ArrayList<>();
            for (ResponseEvent e : served) {
                if (e.modelVersion() != version) {
                    continue;
                }
                List<ChatMessage> messages = e.messages().stream()
                        .map((PromptMessage m) -> new ChatMessage(m.role(), m.content())).toList();
                PromptCompletion item = new PromptCompletion(base.tokenizer().encode(chat.prompt(messages)),
                        base.tokenizer().encode(chat.completion(messages, e.completion())));
                if (item.length() <= context && item.completionIds().length > 0) {
                    items.add(item);
                }
            }
            Scorer scorer = new Scorer(base.model());
            List<ScoredCompletion> policy = scorer.score(items, adapter, 8);
            List<ScoredCompletion> reference = scorer.score(items, null, 8);
            double sum = 0;
            double sumSquares = 0;
            for (int i = 0; i < items.size(); i++) {
                double ratio = policy.get(i).logprob() - reference.get(i).logprob();
                sum += ratio;
                sumSquares += ratio * ratio;
            }
            int n = items.size();
            double mean = n == 0 ? Double.NaN : sum / n;
            double variance = n < 2 ? Double.NaN : (sumSquares - n * mean * mean) / (n - 1);
            return new Estimate(version, n, mean, Math.sqrt(variance / n));
        }
    }
}
