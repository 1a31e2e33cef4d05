package io.livedpo.events.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import io.livedpo.events.kafka.KafkaClientProperties;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code livedpo_kafka_consumer_lag_records{group,topic,partition}}: log-end offset minus the group's committed
 * offset, read through the admin API. That is the number KEDA's Kafka scaler scales on, and unlike the consumer's own
 * fetch metrics it is measured from the broker's side, so it is the same whichever member owns the partition. A
 * partition the group never committed counts everything still on it. When the broker cannot be asked, the series are
 * withdrawn rather than left stale: a gap on the dashboard is honest, a frozen lag is not.
 */
public final class ConsumerLagMeter implements AutoCloseable {

    public static final String NAME = "livedpo.kafka.consumer.lag";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;
    private final String group;
    private final List<String> topics;
    private final MultiGauge gauge;
    private final ScheduledExecutorService refresher;

    private ConsumerLagMeter(MeterRegistry registry, KafkaClientProperties kafka, String group,
                             Collection<String> topics, Duration every) {
        this.admin = Admin.create(kafka.with(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, group + "-lag-meter")));
        this.group = group;
        this.topics = List.copyOf(topics);
        this.gauge = MultiGauge.builder(NAME).baseUnit("records")
                .description("log-end offset minus the consumer group's committed offset, per partition")
                .register(registry);
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lag-meter-" + group);
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts measuring {@code group} on {@code topics} every {@code every}; close it to stop. */
    public static ConsumerLagMeter start(MeterRegistry registry, KafkaClientProperties kafka, String group,
                                         Collection<String> topics, Duration every) {
        return new ConsumerLagMeter(registry, kafka, group, topics, every);
    }

    /** The current lag per partition; public for the meter's test. */
    public Map<TopicPartition, Long> measure() throws ExecutionException, InterruptedException, TimeoutException {
        long timeout = CALL_TIMEOUT.toMillis();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(timeout, TimeUnit.MILLISECONDS);
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                .get(timeout, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        described.values().forEach(d -> d.partitions().forEach(p -> {
            TopicPartition tp = new TopicPartition(d.name(), p.partition());
            latest.put(tp, OffsetSpec.latest());
            earliest.put(tp, OffsetSpec.earliest());
        }));
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                .get(timeout, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all()
                .get(timeout, TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> lag = new HashMap<>();
        ends.forEach((tp, end) -> {
            OffsetAndMetadata c = committed.get(tp);
            long from = c != null ? c.offset() : starts.get(tp).offset();
            lag.put(tp, Math.max(0, end.offset() - from));
        });
        return lag;
    }

    private void refresh() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        try {
            measure().forEach((tp, lag) -> rows.add(MultiGauge.Row.of(Tags.of("group", group, "topic", tp.topic(),
                    "partition", String.valueOf(tp.partition())), lag)));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            rows.clear(); // broker unreachable or topics missing: no number rather than a stale one
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        gauge.register(rows, true);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        admin.close(CALL_TIMEOUT);
    }
}
