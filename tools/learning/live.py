#!/usr/bin/env python3
"""Live runs' learning curves (`livedpo up` writes `<data-dir>/learning-curve.csv`) as the study's JSON lines, so that
plot.py and table.py draw them beside the offline runs; and each run's summary on standard error.

    tools/learning/live.py LABEL=CURVE.csv... [--pairs FROM:TO]... > live.jsonl

One line per version: the honest users' first votes on that version's answers (thumbs-up rate with its 95 % Wilson
interval, drawn as the larger half-width) and the trainer's own KL estimate of that version (its probe, not the
users' answers). The summary pools, for each --pairs window (default 1500: from 1,500 pairs on, the plateau; 0:0 is
the base), the votes of every version trained on that many pairs, with the pooled rate's Wilson interval, and gives the
largest KL estimate of any published version.
"""
import csv
import json
import math
import sys

Z = 1.959964


def wilson(up, n):
    """The 95 % Wilson score interval of up successes in n."""
    if n == 0:
        return 0.0, 1.0
    p = up / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def main(argv):
    windows = []
    while "--pairs" in argv:
        i = argv.index("--pairs")
        lo, _, hi = argv[i + 1].partition(":")
        windows.append((int(lo), int(hi) if hi else 10 ** 9))
        argv = argv[:i] + argv[i + 2:]
    windows = windows or [(1500, 10 ** 9)]
    for arg in argv:
        label, path = arg.split("=", 1)
        pooled = {w: [0, 0] for w in windows}
        kl_max = 0.0
        with open(path) as f:
            for row in csv.DictReader(f):
                n = int(row["votes"])
                rate = float(row["thumbs_up_rate"])
                up = round(rate * n)
                lo, hi = wilson(up, n)
                kl = float(row["kl"]) if row["kl"] else 0.0
                pairs = int(row["pairs_trained"])
                print(json.dumps({"label": label, "source": "live", "version": int(row["version"]), "pairs": pairs,
                                  "votes": n, "thumbs_up": rate, "thumbs_up_ci95": max(rate - lo, hi - rate),
                                  "kl": kl}))
                kl_max = max(kl_max, kl)
                for (a, b), counts in pooled.items():
                    if a <= pairs <= b:
                        counts[0] += up
                        counts[1] += n
        parts = []
        for (a, b), (up, n) in pooled.items():
            lo, hi = wilson(up, n)
            span = f"{a}–{b}" if b < 10 ** 9 else f"≥ {a}"
            parts.append(f"pairs {span}: {up}/{n} up = {100 * up / n if n else float('nan'):.1f} % "
                         f"[{100 * lo:.1f}, {100 * hi:.1f}]")
        print(f"{label}: " + "; ".join(parts) + f"; largest KL estimate of a version {kl_max:.2f} nats",
              file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
