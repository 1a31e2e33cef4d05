package io.livedpo.simulator;

/** A prompt, the style an answer was written in, and the answer: one pre-training example. */
public record Dialogue(Prompt prompt, Style style, String answer) {
}
