#!/bin/bash
# The serving load benchmark behind docs/BENCHMARKS.md: serving alone on the demo model (no broker: response events
# are dropped and counted, off the request path), wrk with chat.lua at each client count, DUR seconds each. Per run:
# requests/s, latency p50/p99 (wrk), tokens/s, mean running batch and time to first token (serving's metrics), the
# server's CPU time and the machine's load average, since a shared machine's numbers mean little without them.
#
#   load-tests/serving-bench.sh services/serving/target/quarkus-app after [-Dlivedpo.serving.batching.max-running=32 ...]
#   CLIENTS="1 32" DUR=30 PORT=18391 OUTDIR=/tmp/bench load-tests/serving-bench.sh APPDIR LABEL
# Health and metrics are on serving's management port (MPORT, default PORT+1); ModelControl gets a free port, so the
# benchmark does not collide with a stack running beside it (CONTROL_OPTS= for builds from before ModelControl had its
# own port, such as the "before" of docs/BENCHMARKS.md).
set -u
APP=$(realpath "$1"); LABEL=$2; shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=${PORT:-18391}
MPORT=${MPORT:-$((PORT + 1))}
OUTDIR=${OUTDIR:-/tmp/livedpo-serving-bench}
mkdir -p "$OUTDIR"
cd "$HERE/.."
KAFKA_BOOTSTRAP_SERVERS=localhost:1 java --add-modules jdk.incubator.vector -Dquarkus.http.port=$PORT -Dquarkus.management.port=$MPORT ${CONTROL_OPTS--Dlivedpo.serving.control.port=0} -Dlivedpo.serving.model-dir=models/demo "$@" -jar $APP/quarkus-run.jar > "$OUTDIR/$LABEL-server.log" 2>&1 &
PID=$!
for i in $(seq 1 300); do curl -sf localhost:$MPORT/q/health/ready >/dev/null && break; sleep 1; done
URL=http://localhost:$PORT/v1/chat/completions
M=http://localhost:$MPORT/q/metrics
tokens() { curl -s $M | awk '/^livedpo_serving_generated_tokens_total/ {s+=$2} END {print s+0}'; }
running() { curl -s $M | awk '/^livedpo_serving_sequences_running/ {s+=$2} END {print s+0}'; }
drain() { # abandoned requests of the previous run keep decoding or prefilling: wait until no sequence runs and
  # generation has stopped (tokens alone are not enough: a large model's prefill emits none for seconds)
  local a b; a=$(tokens)
  for i in $(seq 1 300); do sleep 1; b=$(tokens); [ "$a" = "$b" ] && [ "$(running)" = 0 ] && return; a=$b; done; }
cpu() { awk '{print $14 + $15}' /proc/$PID/stat; }
wrk -t1 -c4 -d10s --timeout 60s -s load-tests/chat.lua $URL >/dev/null; drain
for c in ${CLIENTS:-1 8 32 64}; do
  python3 "$HERE/serving_metrics.py" snap $M "$OUTDIR/a.json"
  L0=$(cut -d' ' -f1 /proc/loadavg); C0=$(cpu)
  R=$(wrk -t1 -c$c -d${DUR:-20}s --timeout 60s --latency -s load-tests/chat.lua $URL | tail -1)
  C1=$(cpu); L1=$(cut -d' ' -f1 /proc/loadavg)
  python3 "$HERE/serving_metrics.py" snap $M "$OUTDIR/b.json"
  X=$(python3 "$HERE/serving_metrics.py" diff x "$OUTDIR/a.json" "$OUTDIR/b.json" ${DUR:-20})
  echo "$LABEL c=$c | $R | $X | server cpu $(( (C1 - C0) ))cs of $(( ${DUR:-20} * 100 ))cs wall | load $L0 -> $L1" | tee -a "$OUTDIR/results.txt"
  drain
done
kill $PID; wait $PID 2>/dev/null
