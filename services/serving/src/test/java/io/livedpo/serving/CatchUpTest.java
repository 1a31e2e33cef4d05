package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.Topics;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A replica that missed a push catches up from the announcement on Kafka and the trainer's checkpoint store, which it
 * must present the control token to.
 */
@QuarkusTest
@TestProfile(CatchUpTest.WithStore.class)
@QuarkusTestResource(KafkaBrokerResource.class)
class CatchUpTest {

    /** Its own profile: this app instance follows announcements from a stub store. */
    public static class WithStore implements QuarkusTestProfile {
        @Override
        public java.util.List<TestResourceEntry> testResources() {
            return java.util.List.of(new TestResourceEntry(CheckpointStoreStub.class));
        }
    }

    @Test
    void installsTheNewestAnnouncedCheckpointFetchedFromTheStore() throws Exception {
        Path work = Files.createTempDirectory("catch-up");
        String base = TestClients.baseFingerprint();
        // The replica never got a push of version 2: only the announcement and the store know it.
        TestClients.Archive v2 = TestClients.checkpoint(work, "other", 2, base, 0.3f);
        CheckpointStoreStub.ARCHIVES.put("other@2", new CheckpointStoreStub.Entry(new ArchiveHeader("other", 2, 1,
                base, v2.sha256(), v2.bytes().length, TestClients.sign(v2.bytes(), TestClients.SIGNING_KEY), true),
                v2.bytes()));
        try (KafkaProducer<String, CheckpointAnnouncement> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class)),
                new StringSerializer(), new JsonSerializer<>())) {
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, "other", new CheckpointAnnouncement(
                    CheckpointAnnouncement.SCHEMA, "other", 2, 1L, base, v2.sha256(), v2.bytes().length,
                    "store://other/v2", 20, Map.of(), Instant.now(), Instant.now()))).get(30, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String version = "0";
        while (System.nanoTime() < deadline && !version.equals("2")) {
            version = given().get("/v1/models").then().statusCode(200).extract()
                    .path("data.find { it.id == 'other' }.version");
        }
        assertEquals("2", version, "the replica did not catch up to the announced version");
        given().get("/v1/models").then().body("data.find { it.id == 'default' }.version",
                org.hamcrest.Matchers.equalTo("0"));
    }
}
