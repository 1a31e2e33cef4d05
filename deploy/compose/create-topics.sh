#!/usr/bin/env bash
# compose's topic-init: creates the Kafka contract (libs/events TopicContract) on a one-broker cluster, 3 partitions
# for the scaled topics. ManifestsTest checks these lines against TopicContract; change both together.
set -euo pipefail
BOOTSTRAP=$1
topic() {
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --replication-factor 1 "$@"
}
topic --topic livedpo.responses.v1 --partitions 3 --config cleanup.policy=delete --config retention.ms=691200000
topic --topic livedpo.feedback.v1 --partitions 3 --config cleanup.policy=delete --config retention.ms=691200000
topic --topic livedpo.pairs.v1 --partitions 3 --config cleanup.policy=delete --config retention.ms=2592000000
topic --topic livedpo.responses.v1.dlq --partitions 1 --config cleanup.policy=delete --config retention.ms=2592000000
topic --topic livedpo.feedback.v1.dlq --partitions 1 --config cleanup.policy=delete --config retention.ms=2592000000
topic --topic livedpo.pairs.v1.dlq --partitions 1 --config cleanup.policy=delete --config retention.ms=2592000000
topic --topic livedpo.checkpoints.v1 --partitions 1 --config cleanup.policy=compact
topic --topic livedpo.canary-decisions.v1 --partitions 1 --config cleanup.policy=compact
