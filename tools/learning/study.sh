#!/usr/bin/env bash
# The recipe study of docs/LEARNING.md: one `livedpo simulate-offline` run (the live loop on-policy in one process)
# per point of a knob, results as JSON lines in $OUT/<knob>.jsonl; `plot.py` draws them.
#
#   tools/learning/study.sh KNOB...      knobs: defaults beta sft lr warmup batch steps replay refresh loss rank
#                                         targets staleness adversarial schedule unpaired
#   JOBS=2 SEEDS="7 8" OUT=docs/learning/data MODEL=models/demo tools/learning/study.sh beta
#
# Every run uses the trainer's defaults except the knob it varies (and BASE_OPTS, options added to every run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-$root/docs/learning/data}"
MODEL="${MODEL:-$root/models/demo}"
SEEDS="${SEEDS:-7}"
JOBS="${JOBS:-1}"
BASE_OPTS="${BASE_OPTS:-}"
EVAL_OPTS="${EVAL_OPTS:---max-pairs 2000 --eval-every 500 --eval 200}"
mkdir -p "$OUT"

points() {
  case "$1" in
    defaults) echo "" ;;
    beta) printf '%s\n' "--beta 0.05" "--beta 0.1" "--beta 0.25" "--beta 0.5" "--beta 1.0" ;;
    sft) printf '%s\n' "--sft-weight 0" "--sft-weight 0.2" "--sft-weight 0.5" "--sft-weight 1.0" ;;
    lr) printf '%s\n' "--lr 2.5e-4" "--lr 5e-4" "--lr 1e-3" "--lr 2e-3" ;;
    warmup) printf '%s\n' "--warmup 0" "--warmup 10" "--warmup 40" ;;
    batch) printf '%s\n' "--batch-size 4" "--batch-size 8" "--batch-size 16" ;;
    steps) printf '%s\n' "--steps-per-batch 1" "--steps-per-batch 2" "--steps-per-batch 4" ;;
    replay) printf '%s\n' "--replay-size 0" "--replay-size 256 --replay-per-step 8" "--replay-size 1024 --replay-per-step 8" ;;
    refresh) printf '%s\n' "--refresh-every 0" "--refresh-every 50 --refresh-alpha 1" "--refresh-every 10 --refresh-alpha 0.5" ;;
    loss) printf '%s\n' "--loss sigmoid" "--loss ipo" "--loss robust --label-smoothing 0.1" "--loss sigmoid --label-smoothing 0.1" ;;
    rank) printf '%s\n' "--lora-rank 4" "--lora-rank 8" "--lora-rank 16" ;;
    # GPT-2's projections (the demo model's family); all four is the default.
    targets) printf '%s\n' "--lora-targets attn.c_attn" "--lora-targets attn.c_attn,attn.c_proj" \
               "--lora-targets mlp.c_fc,mlp.c_proj" "--lora-targets attn.c_attn,attn.c_proj,mlp.c_fc,mlp.c_proj" ;;
    staleness) printf '%s\n' "--pairs-per-version 80" "--pairs-per-version 160" "--pairs-per-version 320" ;;
    adversarial) printf '%s\n' "--adversarial-share 0" "--adversarial-share 0.2" ;;
    schedule) printf '%s\n' "--lr 2e-3 --lr-schedule inverse-sqrt --lr-decay-steps 20" \
                "--lr 2e-3 --lr-schedule cosine --lr-decay-steps 120 --min-lr-ratio 0.25" ;;
    # The same votes (a fifth single thumbs, as live) with the singles ignored, then trained KTO-style.
    unpaired) printf '%s\n' "--single-thumbs-share 0.2" "--single-thumbs-share 0.2 --unpaired-weight 1" ;;
    *) echo "unknown knob: $1" >&2; exit 2 ;;
  esac
}

jar="${JAR:-$root/cli/target/livedpo-cli.jar}"
[[ -f "$jar" ]] || "$root/bin/livedpo" --version >/dev/null
run() { # knob, seed, options
  local knob="$1" seed="$2"; shift 2
  # BASE_OPTS minus the options this point sets (picocli takes each option once).
  local base=() skip="" o
  for o in $BASE_OPTS; do
    if [[ -n "$skip" ]]; then skip=""; continue; fi
    if [[ "$o" == --* && " $* " == *" $o "* ]]; then skip=1; continue; fi
    base+=("$o")
  done
  # One PyTorch thread per run: runs go in parallel (JOBS) rather than fighting over intra-op threads.
  java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -jar "$jar" \
    simulate-offline --model "$MODEL" --seed "$seed" --label "$knob $*" "${base[@]}" $EVAL_OPTS "$@"
}
export -f run
export root MODEL BASE_OPTS EVAL_OPTS jar

for knob in "$@"; do
  : > "$OUT/$knob.jsonl.partial"
  while IFS= read -r opts; do
    for seed in $SEEDS; do
      printf '%s\t%s\t%s\n' "$knob" "$seed" "$opts"
    done
  done < <(points "$knob") | xargs -P "$JOBS" -d '\n' -I{} bash -c \
      'IFS=$'"'"'\t'"'"' read -r k s o <<< "{}"; run "$k" "$s" $o' >> "$OUT/$knob.jsonl.partial"
  mv "$OUT/$knob.jsonl.partial" "$OUT/$knob.jsonl"
  echo "$knob: $(wc -l < "$OUT/$knob.jsonl") lines in $OUT/$knob.jsonl" >&2
done
