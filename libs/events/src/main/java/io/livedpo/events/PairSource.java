package io.livedpo.events;

/** Where a preference pair came from: two opposite thumbs on one prompt, or one A/B choice. */
public enum PairSource {
    THUMBS,
    PAIRWISE
}
