package io.livedpo.simulator;

/** A thumbs rating. */
public enum Vote {
    UP,
    DOWN
}
