#!/usr/bin/env bash
# Brings LiveDPO up on this Docker host. Generates the control token and the checkpoint signing key once, into .env
# (git-ignored, mode 600), so they are never committed and stay stable across restarts.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f .env ]; then
  umask 077
  printf 'LIVEDPO_CONTROL_TOKEN=%s\nLIVEDPO_SIGNING_KEY=%s\n' "$(openssl rand -hex 24)" "$(openssl rand -hex 32)" > .env
fi
exec docker compose up -d "$@"
