package io.livedpo.local;

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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Simulated users driving the loop through the public APIs only: each interaction picks a user and a prompt, asks
 * serving ({@code POST /v1/chat/completions}), and votes on what came back with feedback — a thumbs vote by the
 * user's hidden-reward model ({@code POST /v1/feedback}), or, with probability {@code abShare}, two answers (n=2) and
 * an A/B choice ({@code POST /v1/feedback/pairwise}). Interactions are paced to {@code ratePerSecond} in total and
 * run on a few worker threads, so serving sees concurrent requests it can batch.
 */
public final class UserTraffic implements AutoCloseable {

    /**
     * @param users         simulated users (each has its own id, so feedback's per-user limits apply per user)
     * @param ratePerSecond interactions per second, all users together
     * @param abShare       share of interactions that ask for two answers and send an A/B choice
     * @param maxTokens     answer length cap sent to serving
     * @param workers       concurrent interactions at most
     * @param adversarialShare share of the users who vote the opposite of the hidden reward
     * @param flooderShare  share of the users who send {@link SimulatedUser#FLOODER_VOTES_PER_ANSWER} votes per answer
     */
    public record Settings(List<String> servingUrls, String feedbackUrl, int users, double ratePerSecond,
                           double abShare, int maxTokens, int workers, long seed, double adversarialShare,
                           double flooderShare) {
        public Settings {
            servingUrls = List.copyOf(servingUrls);
            if (servingUrls.isEmpty() || users <= 0 || workers <= 0 || maxTokens <= 0 || !(ratePerSecond > 0)
                    || !(abShare >= 0 && abShare <= 1) || !(adversarialShare >= 0 && flooderShare >= 0
                    && adversarialShare + flooderShare <= 1)) {
                throw new IllegalArgumentException("invalid user traffic settings: " + this);
            }
        }

        /** Honest users only. */
        public Settings(List<String> servingUrls, String feedbackUrl, int users, double ratePerSecond,
                        double abShare, int maxTokens, int workers, long seed) {
            this(servingUrls, feedbackUrl, users, ratePerSecond, abShare, maxTokens, workers, seed, 0, 0);
        }

        public Settings withAdversaries(double adversarial, double flooders) {
            return new Settings(servingUrls, feedbackUrl, users, ratePerSecond, abShare, maxTokens, workers, seed,
                    adversarial, flooders);
        }

        /** One serving replica. */
        public Settings(String servingUrl, String feedbackUrl, int users, double ratePerSecond, double abShare,
                        int maxTokens, int workers, long seed) {
            this(List.of(servingUrl), feedbackUrl, users, ratePerSecond, abShare, maxTokens, workers, seed);
        }

        public static Settings of(String servingUrl, String feedbackUrl, int users) {
            return new Settings(servingUrl, feedbackUrl, users, 4.0, 0.2, 48, Math.min(users, 8), 42L);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings settings;
    private final VoteLedger ledger;
    private final UserPopulation population;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Thread> workers = new ArrayList<>();
    private final long intervalNanos;
    /** Round-robin over the replicas, as a load balancer without health checks: a dead replica's share fails. */
    private final AtomicLong nextReplica = new AtomicLong();
    private long nextSlot = System.nanoTime();
    private volatile boolean running = true;

    public UserTraffic(Settings settings, VoteLedger ledger) {
        this.settings = settings;
        this.ledger = ledger;
        SimulationConfig d = SimulationConfig.DEFAULT;
        this.population = new UserPopulation(new SimulationConfig(settings.users(), settings.ratePerSecond(),
                d.noise(), settings.adversarialShare(), settings.flooderShare(), settings.seed(), d.k(),
                d.threshold()));
        this.intervalNanos = (long) (1e9 / settings.ratePerSecond());
    }

    public void start() {
        for (int i = 0; i < settings.workers(); i++) {
            long seed = settings.seed() * 1_000 + i;
            Thread t = new Thread(() -> work(seed), "simulated-users-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    private void work(long seed) {
        PromptGenerator prompts = new PromptGenerator(seed);
        SplittableRandom rng = new SplittableRandom(seed);
        while (running) {
            pace();
            if (!running) {
                return;
            }
            SimulatedUser user = population.pick(rng);
            Prompt prompt = prompts.next();
            try {
                interact(user, prompt, rng);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Rate pacing (not synchronisation): each interaction takes the next free slot on a shared timeline. */
    private void pace() {
        long slot;
        synchronized (this) {
            long now = System.nanoTime();
            nextSlot = Math.max(nextSlot + intervalNanos, now - intervalNanos); // no burst after a stall
            slot = nextSlot;
        }
        long wait = slot - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private void interact(SimulatedUser user, Prompt prompt, SplittableRandom rng) throws InterruptedException {
        boolean ab = rng.nextDouble() < settings.abShare();
        String servingUrl = settings.servingUrls().get(
                (int) (nextReplica.getAndIncrement() % settings.servingUrls().size()));
        JsonNode chat;
        try {
            chat = chat(servingUrl, user, prompt, ab ? 2 : 1);
        } catch (IOException e) {
            chat = null; // a replica restarting or overloaded: the next interaction tries again
        }
        if (chat == null) {
            ledger.chatFailed(servingUrl, Instant.now());
            return;
        }
        JsonNode choices = chat.path("choices");
        Instant now = Instant.now();
        ledger.answered(now);
        for (JsonNode c : choices) {
            ledger.served(c.path("model_version").asLong(), now);
        }
        if (ab && choices.size() == 2) {
            JsonNode a = choices.get(0);
            JsonNode b = choices.get(1);
            Choice pick = user.choose(prompt, text(a), text(b), rng);
            ObjectNode body = JSON.createObjectNode()
                    .put("chosen_response_id", id(pick == Choice.A ? a : b))
                    .put("rejected_response_id", id(pick == Choice.A ? b : a))
                    .put("user_id", user.id());
            for (int i = 0; i < user.votesPerAnswer(); i++) {
                String feedbackId = postFeedback("/v1/feedback/pairwise", body);
                if (feedbackId != null) {
                    ledger.accepted(new VoteLedger.AcceptedVote(feedbackId,
                            List.of(id(pick == Choice.A ? a : b), id(pick == Choice.A ? b : a)), Instant.now()));
                    ledger.choiceAccepted();
                }
            }
            return;
        }
        JsonNode answer = choices.get(0);
        Vote vote = user.thumbs(prompt, text(answer), rng);
        ObjectNode body = JSON.createObjectNode().put("response_id", id(answer))
                .put("rating", vote == Vote.UP ? "up" : "down").put("user_id", user.id());
        for (int i = 0; i < user.votesPerAnswer(); i++) {
            String feedbackId = postFeedback("/v1/feedback", body);
            if (feedbackId != null) {
                ledger.accepted(new VoteLedger.AcceptedVote(feedbackId, List.of(id(answer)), Instant.now()));
                // The learning curve measures answers as honest users judge them, each answer once.
                ledger.thumbsAccepted(answer.path("model_version").asLong(), vote == Vote.UP,
                        i == 0 && user.kind() != SimulatedUser.Kind.ADVERSARIAL_OPPOSITE);
            }
        }
    }

    private JsonNode chat(String servingUrl, SimulatedUser user, Prompt prompt, int n)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("model", "default").put("n", n)
                .put("max_tokens", settings.maxTokens()).put("user", user.id());
        body.putArray("messages").addObject().put("role", "user").put("content", prompt.userText());
        HttpResponse<String> r = post(servingUrl + "/v1/chat/completions", body);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    /**
     * @return the {@code feedback_id} of an accepted (202) vote; null when refused or unreachable (feedback down or
     *         restarting): not accepted, so not owed an accounting
     */
    private String postFeedback(String path, ObjectNode body) throws InterruptedException {
        try {
            HttpResponse<String> r = post(settings.feedbackUrl() + path, body);
            if (r.statusCode() == 202) {
                return JSON.readTree(r.body()).path("feedback_id").asText();
            }
        } catch (IOException e) {
            // fall through: counted as refused
        }
        ledger.refused();
        return null;
    }

    private HttpResponse<String> post(String url, ObjectNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String text(JsonNode choice) {
        return choice.path("message").path("content").asText();
    }

    private static String id(JsonNode choice) {
        return choice.path("response_id").asText();
    }

    /**
     * Stops sending; interactions in flight finish (bounded by the HTTP timeout) rather than being interrupted, so a
     * vote the feedback service accepted is always in the ledger.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : workers) {
            t.join(Duration.ofSeconds(130).toMillis());
        }
    }
}
