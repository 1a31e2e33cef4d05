package io.livedpo.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livedpo.simulator.Choice;
import io.livedpo.simulator.Prompt;
import io.livedpo.simulator.PromptGenerator;
import io.livedpo.simulator.SimulatedUser;
import io.livedpo.simulator.SimulationConfig;
import io.livedpo.simulator.UserPopulation;
import io.livedpo.simulator.Vote;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The simulated users of {@code libs/simulator} as a load generator sees them: the next interaction (a user, a
 * prompt, plain or streamed, one answer or two) as a chat request body, and the user's vote on what came back as a
 * feedback request. Thread-safe: Gatling calls it from its event loops.
 */
public final class Interactions {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One chat request to send. */
    public record Turn(SimulatedUser user, Prompt prompt, boolean stream, boolean ab, String chatBody) {
    }

    /** One vote to send: the feedback path and its JSON body. */
    public record Ballot(String path, String body) {
    }

    /** One answer as read back: its id (what feedback refers to), text and the version that wrote it. */
    public record Answer(String responseId, String text, long version) {
    }

    private final LoadSettings settings;
    private final UserPopulation population;
    private final ThreadLocal<PromptGenerator> prompts;
    private final ThreadLocal<SplittableRandom> rng;
    private final Map<Long, LongAdder> answersByVersion = new ConcurrentHashMap<>();

    public Interactions(LoadSettings settings) {
        this.settings = settings;
        SimulationConfig d = SimulationConfig.DEFAULT;
        this.population = new UserPopulation(new SimulationConfig(settings.users(), Math.max(settings.rate(), 1e-3),
                d.noise(), 0, 0, settings.seed(), d.k(), d.threshold()));
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        this.prompts = ThreadLocal.withInitial(() -> {
            synchronized (seeds) {
                return new PromptGenerator(seeds.nextLong());
            }
        });
        this.rng = ThreadLocal.withInitial(() -> {
            synchronized (seeds) {
                return seeds.split();
            }
        });
    }

    /** The next interaction; {@code allowStream} false keeps it plain (the swap storm measures plain requests). */
    public Turn next(boolean allowStream) {
        SplittableRandom r = rng.get();
        SimulatedUser user = population.pick(r);
        Prompt prompt = prompts.get().next();
        boolean ab = r.nextDouble() < settings.abShare();
        // Streaming sends one answer: an A/B pair is two plain choices (n=2), as the chat page asks for them.
        boolean stream = allowStream && !ab && r.nextDouble() < settings.streamShare();
        ObjectNode body = JSON.createObjectNode().put("model", "default").put("n", ab ? 2 : 1)
                .put("max_tokens", settings.maxTokens()).put("user", user.id()).put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt.userText());
        return new Turn(user, prompt, stream, ab, body.toString());
    }

    /** The answers of a plain (JSON) completion. */
    public static List<Answer> plainAnswers(String body) {
        List<Answer> answers = new ArrayList<>();
        for (JsonNode c : read(body).path("choices")) {
            answers.add(new Answer(c.path("response_id").asText(), c.path("message").path("content").asText(),
                    c.path("model_version").asLong()));
        }
        return answers;
    }

    /**
     * The answers of a streamed completion: the chunks' deltas concatenated per choice. An in-band error event
     * (the status line was already sent) is a failed request.
     */
    public static List<Answer> streamedAnswers(String body) {
        Map<Integer, StringBuilder> text = new java.util.TreeMap<>();
        Map<Integer, String> ids = new java.util.HashMap<>();
        Map<Integer, Long> versions = new java.util.HashMap<>();
        boolean done = false;
        for (String line : body.split("\n")) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            String data = line.substring("data: ".length());
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            JsonNode event = read(data);
            if (event.has("error")) {
                throw new IllegalStateException("stream failed: " + event.path("error"));
            }
            for (JsonNode c : event.path("choices")) {
                int i = c.path("index").asInt();
                ids.put(i, c.path("response_id").asText());
                versions.put(i, c.path("model_version").asLong());
                String delta = c.path("delta").path("content").asText("");
                text.computeIfAbsent(i, k -> new StringBuilder()).append(delta);
            }
        }
        if (!done) {
            throw new IllegalStateException("stream ended without [DONE]");
        }
        List<Answer> answers = new ArrayList<>();
        text.forEach((i, t) -> answers.add(new Answer(ids.get(i), t.toString(), versions.get(i))));
        return answers;
    }

    /** The user's vote on the answers: a thumbs vote on one, an A/B choice between two. */
    public Ballot vote(Turn turn, List<Answer> answers) {
        answers.forEach(a -> answersByVersion.computeIfAbsent(a.version(), v -> new LongAdder()).increment());
        SplittableRandom r = rng.get();
        if (turn.ab() && answers.size() == 2) {
            Answer a = answers.get(0);
            Answer b = answers.get(1);
            Choice pick = turn.user().choose(turn.prompt(), a.text(), b.text(), r);
            ObjectNode body = JSON.createObjectNode()
                    .put("chosen_response_id", (pick == Choice.A ? a : b).responseId())
                    .put("rejected_response_id", (pick == Choice.A ? b : a).responseId())
                    .put("user_id", turn.user().id());
            return new Ballot("/v1/feedback/pairwise", body.toString());
        }
        Answer answer = answers.get(0);
        Vote vote = turn.user().thumbs(turn.prompt(), answer.text(), r);
        ObjectNode body = JSON.createObjectNode().put("response_id", answer.responseId())
                .put("rating", vote == Vote.UP ? "up" : "down").put("user_id", turn.user().id());
        return new Ballot("/v1/feedback", body.toString());
    }

    /** Answers seen per model version: the versions the trainer published while the load ran. */
    public Map<Long, Long> answersByVersion() {
        Map<Long, Long> out = new java.util.TreeMap<>();
        answersByVersion.forEach((v, n) -> out.put(v, n.sum()));
        return out;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
