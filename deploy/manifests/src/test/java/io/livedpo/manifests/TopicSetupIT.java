package io.livedpo.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livedpo.events.TopicContract;
import io.livedpo.events.TopicSpec;
import io.livedpo.local.TopicSetup;
import io.livedpo.testing.kafka.KafkaBroker;
import io.livedpo.testing.kafka.KafkaBrokerExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** On a real broker, the local launcher's topic creation yields exactly the contract's topics and settings. */
@ExtendWith(KafkaBrokerExtension.class)
class TopicSetupIT {

    @Test
    void createsEveryContractTopicWithItsPartitionsAndConfigs(KafkaBroker broker) throws Exception {
        TopicSetup.create(broker.bootstrapServers());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            List<String> names = TopicContract.all().stream().map(TopicSpec::name).toList();
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get(30, TimeUnit.SECONDS);
            for (TopicSpec spec : TopicContract.all()) {
                assertEquals(spec.partitionCount(TopicContract.DEFAULT_PARTITIONS),
                        topics.get(spec.name()).partitions().size(), spec.name());
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
                Map<String, String> actual = new HashMap<>();
                spec.configs().keySet().forEach(k -> actual.put(k, config.get(k).value()));
                assertEquals(spec.configs(), actual, spec.name());
            }
        }
    }
}
