#!/usr/bin/env python3
"""The memory-bandwidth bound of batch-1 decode on GPT-2 small: one token reads every projection matrix and the tied
head once. Runs that as numpy GEMVs (x[C] @ W) over freshly allocated F32 matrices of exactly those shapes (0.49 GB,
far beyond any cache), takes the median time of REPS passes, and prints the streamed GB/s and the tokens/s a decoder
that did nothing but stream the weights would reach. Thread count: OPENBLAS_NUM_THREADS / OMP_NUM_THREADS.

    OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 python3 gemv_bandwidth.py [REPS] [BYTES_PER_WEIGHT]
"""
import json
import os
import sys
import time

import numpy as np

V, C, L = 50257, 768, 12


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rng = np.random.default_rng(1)
    shapes = [(C, 3 * C), (C, C), (C, 4 * C), (4 * C, C)] * L + [(C, V)]  # head: x @ wte.T, wte stored [V, C]
    mats = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    streamed = sum(m.nbytes for m in mats)
    xs = {s[0]: rng.standard_normal(s[0], dtype=np.float32) for s in shapes}
    times = []
    for r in range(reps + 2):
        start = time.perf_counter()
        for m in mats:
            xs[m.shape[0]] @ m
        if r >= 2:  # two warm-up passes
            times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    gbs = streamed / median / 1e9
    # A reduced-precision base streams fewer bytes per weight: the same bandwidth bounds it higher.
    per_weight = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
    print(json.dumps({"engine": "numpy-gemv", "threads": os.environ.get("OPENBLAS_NUM_THREADS",
                                                                      os.environ.get("OMP_NUM_THREADS", "default")),
                      "weights_gb": round(streamed / 1e9, 4), "seconds_per_pass": round(median, 5),
                      "gb_per_second": round(gbs, 2),
                      "bound_tokens_per_second": round(gbs / (streamed / 4.0 * per_weight / 1e9), 2)}))


if __name__ == "__main__":
    main()
