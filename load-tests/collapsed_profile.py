#!/usr/bin/env python3
"""Summarise an async-profiler collapsed-stack file (``collapsed,threads``): of the samples whose stack passes through
a given frame (e.g. one decoding step), the share each matching frame is on (inclusive) and the top self frames.

  python3 load-tests/collapsed_profile.py /tmp/prof.txt ContinuousBatch.step --match 'io/livedpo|JniUtils'
"""
import argparse
import collections
import re

ap = argparse.ArgumentParser()
ap.add_argument("profile")
ap.add_argument("through", help="only samples whose stack contains this text")
ap.add_argument("--match", default="io/livedpo", help="regex of the frames to list inclusively")
ap.add_argument("--top", type=int, default=30, help="self frames to list")
args = ap.parse_args()

inclusive, own, total = collections.Counter(), collections.Counter(), 0
with open(args.profile) as f:
    for line in f:
        stack, _, count = line.rstrip().rpartition(" ")
        if args.through not in stack:
            continue
        n = int(count)
        frames = stack.split(";")[1:]  # the first is the thread
        total += n
        for frame in {re.sub(r"\$\$Lambda.*", "$$Lambda", fr) for fr in frames}:
            inclusive[frame] += n
        own[frames[-1]] += n

print(f"samples through {args.through}: {total}")
for frame, n in inclusive.most_common():
    if re.search(args.match, frame):
        print(f"{100 * n / total:5.1f} %  {frame[:160]}")
print("--- self")
for frame, n in own.most_common(args.top):
    print(f"{100 * n / total:5.1f} %  {frame[:160]}")
