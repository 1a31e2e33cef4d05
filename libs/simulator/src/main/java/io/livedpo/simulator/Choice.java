package io.livedpo.simulator;

/** Which of two answers, shown as A and B, a user prefers. */
public enum Choice {
    A,
    B
}
