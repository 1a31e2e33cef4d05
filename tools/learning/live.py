#!/usr/bin/env python3
"""Live runs' learning curves (`livedpo up` writes `<data-dir>/learning-curve.csv`) as the study's JSON lines, so that
plot.py and table.py draw them beside the offline runs; and each run's summary on standard error.

    tools/learning/live.py LABEL=CURVE.csv[:EVALUATE.jsonl]... [--pairs FROM[:TO]]... [--pooled] > live.jsonl

Per version (the default output): the honest users' first votes on that version's answers (thumbs-up rate with its
95 % Wilson interval, drawn as the larger half-width) and the trainer's own KL estimate of that version (its probe,
not the users' answers). The summary pools, for each --pairs window (default 1500: from 1,500 pairs on, the plateau;
0:0 is the base), the votes of every version trained on that many pairs, with the pooled rate's Wilson interval, and
counts the versions up to the last window's end whose KL estimate is over 3 nats.

--pooled writes one line per run and window instead: the pooled rate at the window's largest pair count, and as its KL
0 for the base, else `livedpo evaluate`'s KL of the run's last version when EVALUATE.jsonl is given (its line whose
"run" is LABEL, or else its last line with an adapter), else the trainer's estimate of the window's last version.
"""
import csv
import json
import math
import sys

Z = 1.959964
KL_BUDGET = 3.0
OPEN = 10 ** 9


def wilson(up, n):
    """The 95 % Wilson score interval of up successes in n."""
    if n == 0:
        return 0.0, 1.0
    p = up / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def half_width(up, n):
    lo, hi = wilson(up, n)
    p = up / n if n else 0.0
    return max(p - lo, hi - p)


def evaluation(path, label):
    with open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    mine = [e for e in lines if e.get("run") == label] or [e for e in lines if e.get("adapter")]
    return mine[-1]


def main(argv):
    windows = []
    pooled_out = "--pooled" in argv
    argv = [a for a in argv if a != "--pooled"]
    while "--pairs" in argv:
        i = argv.index("--pairs")
        lo, _, hi = argv[i + 1].partition(":")
        windows.append((int(lo), int(hi) if hi else OPEN))
        argv = argv[:i] + argv[i + 2:]
    windows = windows or [(1500, OPEN)]
    for arg in argv:
        label, spec = arg.split("=", 1)
        path, _, eval_path = spec.partition(":")
        with open(path) as f:
            rows = [{"version": int(r["version"]), "pairs": int(r["pairs_trained"]), "votes": int(r["votes"]),
                     "rate": float(r["thumbs_up_rate"]), "kl": float(r["kl"]) if r["kl"] else 0.0}
                    for r in csv.DictReader(f)]
        for r in rows:
            r["up"] = round(r["rate"] * r["votes"])  # the CSV holds the rate; the count is what pools
            if not pooled_out:
                print(json.dumps({"label": label, "source": "live", "version": r["version"], "pairs": r["pairs"],
                                  "votes": r["votes"], "thumbs_up": r["rate"],
                                  "thumbs_up_ci95": half_width(r["up"], r["votes"]), "kl": r["kl"]}))
        parts = []
        for a, b in windows:
            inside = [r for r in rows if a <= r["pairs"] <= b]
            up, n = sum(r["up"] for r in inside), sum(r["votes"] for r in inside)
            lo, hi = wilson(up, n)
            parts.append(f"pairs {a}–{b if b < OPEN else ''}: {up}/{n} up = "
                         f"{100 * up / n if n else float('nan'):.1f} % [{100 * lo:.1f}, {100 * hi:.1f}]")
            if pooled_out and inside:
                if b == 0:
                    kl, kl_ci = 0.0, 0.0
                elif eval_path:
                    e = evaluation(eval_path, label)
                    kl, kl_ci = e["kl"], e.get("kl_ci95", 0.0)
                else:
                    kl, kl_ci = inside[-1]["kl"], 0.0
                print(json.dumps({"label": label, "source": "live", "pairs": inside[-1]["pairs"], "votes": n,
                                  "thumbs_up": up / n, "thumbs_up_ci95": half_width(up, n), "kl": kl,
                                  "kl_ci95": kl_ci}))
        end = windows[-1][1]
        published = [r for r in rows if 0 < r["version"] and r["pairs"] <= end]
        over = sum(1 for r in published if r["kl"] > KL_BUDGET)
        print(f"{label}: " + "; ".join(parts) + f"; KL estimate over {KL_BUDGET:g} nats in {over} of "
              f"{len(published)} versions up to {end if end < OPEN else 'the end'}, largest "
              f"{max((r['kl'] for r in published), default=0.0):.2f}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
