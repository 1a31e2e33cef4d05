#!/usr/bin/env bash
# Creates the Secrets the manifests reference, with fresh random values or values from this shell, never from files in
# the repository:
#   k8s/secrets.sh <namespace> [kafka-bootstrap]   (the Kafka Secret only for the plain-kafka/prod/gpu overlays)
# An authenticated cluster (plain-kafka overlay) is described by environment variables:
#   KAFKA_SECURITY_PROTOCOL   SASL_SSL, SASL_PLAINTEXT or SSL (default PLAINTEXT)
#   KAFKA_SASL_MECHANISM      PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
#   KAFKA_USERNAME, KAFKA_PASSWORD   the account every service (and KEDA) logs in with
#   KAFKA_CA_PEM              the cluster CA (PEM file) when the JVM's default trust does not cover it
# Existing Secrets are kept: rotating the control token, signing key or Kafka account is a deliberate act
# (DEPLOYMENT.md).
set -euo pipefail
ns=$1
if ! kubectl -n "$ns" get secret livedpo-control >/dev/null 2>&1; then
  kubectl -n "$ns" create secret generic livedpo-control \
    --from-literal=token="$(openssl rand -hex 24)" --from-literal=signing-key="$(openssl rand -hex 32)"
fi
[ -n "${2:-}" ] || exit 0
kubectl -n "$ns" get secret livedpo-kafka >/dev/null 2>&1 && exit 0

protocol=${KAFKA_SECURITY_PROTOCOL:-PLAINTEXT}
mechanism=${KAFKA_SASL_MECHANISM:-}
args=(--from-literal=bootstrap.servers="$2" --from-literal=security.protocol="$protocol")
keda_sasl=none
case "$protocol" in
  SASL_*)
    : "${mechanism:?KAFKA_SASL_MECHANISM is required for $protocol}"
    : "${KAFKA_USERNAME:?KAFKA_USERNAME is required for $protocol}" "${KAFKA_PASSWORD:?KAFKA_PASSWORD is required}"
    case "$mechanism" in
      PLAIN) module=org.apache.kafka.common.security.plain.PlainLoginModule; keda_sasl=plaintext ;;
      SCRAM-SHA-256) module=org.apache.kafka.common.security.scram.ScramLoginModule; keda_sasl=scram_sha256 ;;
      SCRAM-SHA-512) module=org.apache.kafka.common.security.scram.ScramLoginModule; keda_sasl=scram_sha512 ;;
      *) echo "unsupported KAFKA_SASL_MECHANISM: $mechanism" >&2; exit 2 ;;
    esac
    args+=(--from-literal=sasl.mechanism="$mechanism"
      --from-literal=sasl.jaas.config="$module required username=\"$KAFKA_USERNAME\" password=\"$KAFKA_PASSWORD\";"
      --from-literal=keda.username="$KAFKA_USERNAME" --from-literal=keda.password="$KAFKA_PASSWORD") ;;
esac
args+=(--from-literal=keda.sasl="$keda_sasl")
case "$protocol" in
  *SSL) args+=(--from-literal=keda.tls=enable) ;;
  *) args+=(--from-literal=keda.tls=disable) ;;
esac
if [ -n "${KAFKA_CA_PEM:-}" ]; then
  # The JVM clients read a PKCS12 truststore; KEDA reads the PEM itself.
  store=$(mktemp -d)
  trap 'rm -rf "$store"' EXIT
  pass=$(openssl rand -hex 16)
  keytool -importcert -noprompt -alias kafka-ca -file "$KAFKA_CA_PEM" -keystore "$store/truststore.p12" \
    -storetype PKCS12 -storepass "$pass" >/dev/null
  kubectl -n "$ns" create secret generic livedpo-kafka-truststore --from-file=truststore.p12="$store/truststore.p12"
  args+=(--from-literal=ssl.truststore.location=/etc/livedpo/kafka-truststore/truststore.p12
    --from-literal=ssl.truststore.type=PKCS12 --from-literal=ssl.truststore.password="$pass"
    --from-file=keda.ca="$KAFKA_CA_PEM")
fi
kubectl -n "$ns" create secret generic livedpo-kafka "${args[@]}"
