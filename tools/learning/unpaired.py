#!/usr/bin/env python3
"""How much of a run's feedback reaches the trainer: from a `livedpo up` export (<data-dir>/export), the A/B choices
and thumbs votes given until the last pair was made, and how many of the thumbs votes ended in a pair (feedback's
Pairer pairs a thumbs-up with a thumbs-down on the same prompt; the trainer reads only the pairs topic).

    tools/learning/unpaired.py <data-dir>/export
"""
import collections
import json
import os
import sys


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main(export):
    feedback = lines(os.path.join(export, "livedpo.feedback.v1.jsonl"))
    pairs = lines(os.path.join(export, "livedpo.pairs.v1.jsonl"))
    last = max(p["createdAt"] for p in pairs)
    in_thumbs_pair = set()
    for p in pairs:
        if p["source"] == "THUMBS":
            in_thumbs_pair |= {p["chosenResponseId"], p["rejectedResponseId"]}
    # Timestamps are ISO-8601 UTC with the same layout, so they compare as strings.
    thumbs = [f for f in feedback if f["rating"] and f["createdAt"] <= last]
    choices = [f for f in feedback if f["chosenResponseId"] and f["createdAt"] <= last]
    unpaired = [f for f in thumbs if f["responseId"] not in in_thumbs_pair]
    print(json.dumps({
        "until": last,
        "pairs": dict(collections.Counter(p["source"] for p in pairs)),
        "ab_choices": len(choices),
        "thumbs_votes": len(thumbs),
        "thumbs_votes_paired": len(thumbs) - len(unpaired),
        "thumbs_votes_unpaired": len(unpaired),
        "unpaired_by_rating": dict(collections.Counter(f["rating"] for f in unpaired)),
    }))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
