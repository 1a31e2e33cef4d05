package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.events.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * The launcher without the trainer, on the tiny fixture model: the broker JVM and its topics, serving and feedback
 * as child JVMs, simulated users through the public APIs, every accepted vote accounted for, and a clean stop.
 */
class LocalStackIT {

    static final Path HOME = Path.of(System.getProperty("livedpo.home", "../..")).toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void brokerServingFeedbackAndUsersRunAndStopCleanly() throws Exception {
        Ports ports = Ports.ephemeral();
        StackSettings settings = StackSettings.of(HOME, TestDirs.fresh("it-stack"),
                HOME.resolve("libs/policy/src/test/resources/fixtures/tiny-gpt2"), ports)
                .withServices(EnumSet.of(Service.SERVING, Service.FEEDBACK));
        VoteLedger ledger = new VoteLedger();
        try (LocalStack stack = LocalStack.start(settings)) {
            assertTopics(stack.bootstrapServers());
            UserTraffic.Settings traffic = new UserTraffic.Settings(settings.servingUrl(), settings.feedbackUrl(),
                    5, 10, 0.3, 8, 4, 7L);
            try (UserTraffic users = new UserTraffic(traffic, ledger)) {
                users.start();
                Poll.until("40 accepted votes", Duration.ofSeconds(90),
                        () -> ledger.acceptedThumbs() + ledger.acceptedChoices() >= 40, () -> null);
            }
            assertEquals(0, ledger.chatFailures(), "chat requests failed");
            assertTrue(ledger.tally(0).votes() > 0, "thumbs votes are tagged with the base version");
            long accepted = ledger.acceptedThumbs() + ledger.acceptedChoices();
            // Every accepted vote is accounted for: joined with its response (paired or pending) or unmatched.
            Poll.until("feedback accounts for " + accepted + " votes", Duration.ofSeconds(60),
                    () -> accounted(settings.feedbackUrl()) == accepted, () -> null);
        }
        assertTrue(Ports.isFree(ports.kafka()) && Ports.isFree(ports.serving()) && Ports.isFree(ports.feedback()),
                "every process stopped and released its port");
    }

    private static void assertTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, TopicDescription> topics = admin.describeTopics(Set.of(Topics.RESPONSES, Topics.FEEDBACK,
                    Topics.PAIRS, Topics.CHECKPOINTS)).allTopicNames().get(30, TimeUnit.SECONDS);
            assertEquals(topics.get(Topics.RESPONSES).partitions().size(),
                    topics.get(Topics.FEEDBACK).partitions().size(), "responses and feedback are co-partitioned");
            String cleanup = admin.describeConfigs(Set.of(new ConfigResource(ConfigResource.Type.TOPIC,
                    Topics.CHECKPOINTS))).all()
                    .get(30, TimeUnit.SECONDS).values().iterator().next().get("cleanup.policy").value();
            assertEquals("compact", cleanup);
        }
    }

    /** Votes feedback joined with their responses, plus those it gave up on as unmatched. */
    static long accounted(String feedbackUrl) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(feedbackUrl + "/v1/feedback/stats"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode stats = JSON.readTree(r.body());
            long votes = 0;
            for (JsonNode p : stats.path("policies")) {
                votes += p.path("votes").asLong();
            }
            return votes + stats.path("unmatched").asLong();
        } catch (Exception e) {
            return -1;
        }
    }
}
