#!/usr/bin/env python3
"""Each evaluation of simulate-offline / evaluate JSON lines with its per-family breakdown: thumbs-up, and the share
of answers with the facts right / wrong (the rest leave the fact out), so a plateau can be split into style and facts.

    tools/learning/families.py DATA.jsonl...
"""
import json
import sys

for path in sys.argv[1:]:
    print(path)
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            fams = "  ".join(f"{k} {100 * v['thumbs_up']:.0f}/{100 * v['correct']:.0f}/{100 * v['wrong']:.0f}"
                             for k, v in r["families"].items())
            print(f"  pairs {r.get('pairs', 0):>6}  thumbs-up {100 * r['thumbs_up']:.1f} ± {100 * r['thumbs_up_ci95']:.1f} %"
                  f"  KL {r['kl']:.2f} ± {r['kl_ci95']:.2f}  (family up/right/wrong %) {fams}")
