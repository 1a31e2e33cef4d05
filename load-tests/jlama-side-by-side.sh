#!/bin/bash
# Batch-1 greedy decode side by side with the peer Java engine Jlama (jlama-core 0.8.4) on one random-weight GPT-2-small
# directory: the same prompt ids, N new tokens, F32 weights, at each thread count; checks both engines produce the
# same greedy tokens and prints tokens/s, their ratio, and the memory-bandwidth bound (numpy GEMVs streaming the same
# 0.49 GB of F32 weights once per token) with each engine's share of it. LiveDPO runs a second time with its base in
# bf16 (--base-precision bf16: half the bytes per token), reported beside the F32 bound it can pass; its greedy tokens
# are compared with F32's, not required to match (bf16 rounding may flip a near tie). LiveDPO's first two runs use its
# PyTorch engine (--engine torch); then its Java engine (--engine java, serving's default) in f32 and bf16, whose f32
# tokens must match too. Figures: docs/BENCHMARKS.md.
#
#   load-tests/jlama-side-by-side.sh                 # THREADS="1 2" NEW=64 REPS=3 MODEL=/tmp/livedpo-gpt2-random
#
# Jlama needs Java 21+ (the Vector API), so it lives in its own small project (load-tests/jlama), built here with
# JAVA_HOME set to the Temurin JDK; the main build stays on Java 17. First run downloads jlama-core from Maven Central.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
MODEL=${MODEL:-/tmp/livedpo-gpt2-random}
NEW=${NEW:-64}
REPS=${REPS:-3}
PROMPT=${PROMPT:-"The quick brown fox jumps over the lazy dog"}
JDK=${JLAMA_JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-* 2>/dev/null | sort -V | tail -1 || true)}
LIVEDPO_OPTS=${LIVEDPO_OPTS:-}
OUT=${OUTDIR:-/tmp/livedpo-jlama}
mkdir -p "$OUT"

[ -f "$MODEL/model.safetensors" ] || python3 "$HERE/jlama/random_gpt2.py" "$MODEL" 1
(cd "$HERE/jlama" && JAVA_HOME=$JDK "$ROOT/mvnw" -B -q -ntp package)
CP="$HERE/jlama/target/classes:$(cat "$HERE/jlama/target/classpath.txt")"
IDS=$("$ROOT/bin/livedpo" tokenize --model "$MODEL" --text "$PROMPT" | python3 -c 'import json,sys; print(",".join(map(str, json.load(sys.stdin)["ids"])))')

for t in ${THREADS:-1 2}; do
  L0=$(cut -d' ' -f1 /proc/loadavg)
  # OMP_NUM_THREADS as well: libtorch's OpenMP pool would otherwise start one thread per core besides DJL's setting.
  OMP_NUM_THREADS=$t LIVEDPO_JAVA_OPTS="-Dai.djl.pytorch.num_threads=$t -Dai.djl.pytorch.num_interop_threads=1 $LIVEDPO_OPTS" \
    "$ROOT/bin/livedpo" generate --model "$MODEL" --prompt "$PROMPT" --max-tokens "$NEW" --temperature 0 --seed 1 \
    --repeat "$REPS" --engine torch > "$OUT/livedpo-$t.json"
  OMP_NUM_THREADS=$t LIVEDPO_JAVA_OPTS="-Dai.djl.pytorch.num_threads=$t -Dai.djl.pytorch.num_interop_threads=1 $LIVEDPO_OPTS" \
    "$ROOT/bin/livedpo" generate --model "$MODEL" --prompt "$PROMPT" --max-tokens "$NEW" --temperature 0 --seed 1 \
    --repeat "$REPS" --engine torch --base-precision bf16 > "$OUT/livedpo-bf16-$t.json"
  for p in f32 bf16; do
    LIVEDPO_JAVA_OPTS="-Dai.djl.pytorch.num_threads=$t -Dai.djl.pytorch.num_interop_threads=1 $LIVEDPO_OPTS" \
      "$ROOT/bin/livedpo" generate --model "$MODEL" --prompt "$PROMPT" --max-tokens "$NEW" --temperature 0 --seed 1 \
      --repeat "$REPS" --engine java --base-precision $p > "$OUT/livedpo-java-$p-$t.json"
  done
  "$JDK/bin/java" --add-modules jdk.incubator.vector --enable-preview -Xmx2g -cp "$CP" JlamaDecode "$MODEL" "$t" "$IDS" \
    "$NEW" "$REPS" 2>/dev/null | grep '^{' > "$OUT/jlama-$t.json"
  OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t python3 "$HERE/jlama/gemv_bandwidth.py" 20 > "$OUT/bound-$t.json"
  L1=$(cut -d' ' -f1 /proc/loadavg)
  python3 - "$OUT" "$t" "$L0" "$L1" <<'PY'
import json, sys
out, t, l0, l1 = sys.argv[1:]
ld, jl, bd = (json.load(open(f"{out}/{n}-{t}.json")) for n in ("livedpo", "jlama", "bound"))
same = ld["ids"] == jl["ids"]
first = next((i for i, (a, b) in enumerate(zip(ld["ids"], jl["ids"])) if a != b), None)
b = bd["bound_tokens_per_second"]
print(f"threads {t}: livedpo {ld['tokens_per_second']:.1f} tok/s ({ld['cpu_seconds']:.2f} CPU s / {ld['seconds']:.2f} s)"
      f" | jlama {jl['tokens_per_second']:.1f} tok/s | ratio {ld['tokens_per_second'] / jl['tokens_per_second']:.2f}"
      f" | bound {b:.1f} tok/s ({bd['gb_per_second']} GB/s): livedpo {100 * ld['tokens_per_second'] / b:.0f} %,"
      f" jlama {100 * jl['tokens_per_second'] / b:.0f} % | {len(ld['ids'])} tokens,"
      f" {'same greedy tokens' if same else 'DIFFERENT tokens from position %s' % first} | load {l0} -> {l1}")
bf = json.load(open(f"{out}/livedpo-bf16-{t}.json"))
bf_first = next((i for i, (a, c) in enumerate(zip(ld["ids"], bf["ids"])) if a != c), None)
print(f"threads {t}: livedpo bf16 {bf['tokens_per_second']:.1f} tok/s ({bf['cpu_seconds']:.2f} CPU s / {bf['seconds']:.2f} s)"
      f" | {bf['tokens_per_second'] / ld['tokens_per_second']:.2f}x livedpo f32, {bf['tokens_per_second'] / jl['tokens_per_second']:.2f}x jlama"
      f" | {100 * bf['tokens_per_second'] / b:.0f} % of the f32 bound"
      f" | {'same greedy tokens as f32' if bf_first is None else 'differs from f32 from position %s' % bf_first}")
for p in ("f32", "bf16"):
    jv = json.load(open(f"{out}/livedpo-java-{p}-{t}.json"))
    jv_first = next((i for i, (a, c) in enumerate(zip(ld["ids"], jv["ids"])) if a != c), None)
    same &= p == "bf16" or jv["ids"] == ld["ids"]
    print(f"threads {t}: livedpo java engine {p} {jv['tokens_per_second']:.1f} tok/s ({jv['cpu_seconds']:.2f} CPU s / {jv['seconds']:.2f} s)"
          f" | {jv['tokens_per_second'] / ld['tokens_per_second']:.2f}x livedpo torch f32, {jv['tokens_per_second'] / jl['tokens_per_second']:.2f}x jlama"
          f" | {100 * jv['tokens_per_second'] / b:.0f} % of the f32 bound"
          f" | {'same greedy tokens as torch f32' if jv_first is None else 'differs from torch f32 from position %s' % jv_first}")
if not same:
    sys.exit(1)
PY
done
