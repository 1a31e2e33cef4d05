package io.livedpo.trainer.service;

/** Inclusive offsets of one topic-partition. */
public record OffsetRange(long from, long to) {

    public OffsetRange including(long offset) {
        return new OffsetRange(Math.min(from, offset), Math.max(to, offset));
    }
}
