#!/usr/bin/env python3
"""The recipe study's JSON lines as a markdown table: one row per run (label and recipe), its evaluations at the
given pair counts (thumbs-up ± 95 % half-interval, KL) and the first pair count at which it was 20 points over the base.

    tools/learning/table.py DATA.jsonl... [--knob FIELD[,FIELD...]]
"""
import json
import sys

# The fields that tell one run's recipe from another's (lists, such as LoRA targets, as tuples).
RECIPE = ("loss", "beta", "label_smoothing", "sft_weight", "lr", "warmup", "lr_schedule", "lr_decay_steps",
          "min_lr_ratio", "batch_size", "lora_rank", "lora_targets", "steps_per_batch", "replay_size",
          "replay_per_step", "refresh_every", "refresh_alpha", "max_staleness", "pairs_per_version",
          "adversarial_share", "single_thumbs_share", "unpaired_weight", "seed")


def main(argv):
    knob = None
    if "--knob" in argv:
        i = argv.index("--knob")
        knob = argv[i + 1].split(",")
        argv = argv[:i] + argv[i + 2:]
    runs = {}
    for path in argv:
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                recipe = tuple((k, tuple(r[k]) if isinstance(r[k], list) else r[k]) for k in RECIPE if k in r)
                runs.setdefault((r.get("label", ""), recipe), []).append(r)
    print("| run | " + "".join(k + " | " for k in knob or []) + "≈500 pairs | ≈1,000 | ≈1,500 | 2,000 | +20 points at |")
    print("| --- | " + "--- | " * len(knob or []) + "--- | --- | --- | --- | --- |")
    for (label, recipe), rows in runs.items():
        rows.sort(key=lambda r: r["pairs"])
        base = rows[0]["thumbs_up"]
        cells = []
        for target in (500, 1000, 1500, 2000):
            near = [r for r in rows if r["pairs"] >= target]
            r = near[0] if near else None
            cells.append("" if r is None else
                         f"{100 * r['thumbs_up']:.1f} ± {100 * r['thumbs_up_ci95']:.1f} % · KL {r['kl']:.2f} "
                         f"({r['pairs']})")
        first = next((r["pairs"] for r in rows if r["thumbs_up"] - base >= 0.20), None)
        ks = "".join(f"{dict(recipe).get(k)} | " for k in knob or [])
        print(f"| {label} | " + ks + " | ".join(cells) + f" | {first or '—'} |")


if __name__ == "__main__":
    main(sys.argv[1:])
