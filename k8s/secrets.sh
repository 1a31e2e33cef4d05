#!/usr/bin/env bash
# Creates the Secrets the manifests reference, with fresh random values, never from files in the repository:
#   k8s/secrets.sh <namespace> [kafka-bootstrap]   (the bootstrap address only for the plain-kafka/prod overlays)
# Existing Secrets are kept: rotating the control token or signing key is a deliberate act (DEPLOYMENT.md).
set -euo pipefail
ns=$1
if ! kubectl -n "$ns" get secret livedpo-control >/dev/null 2>&1; then
  kubectl -n "$ns" create secret generic livedpo-control \
    --from-literal=token="$(openssl rand -hex 24)" --from-literal=signing-key="$(openssl rand -hex 32)"
fi
if [ -n "${2:-}" ] && ! kubectl -n "$ns" get secret livedpo-kafka >/dev/null 2>&1; then
  kubectl -n "$ns" create secret generic livedpo-kafka --from-literal=bootstrap.servers="$2"
fi
