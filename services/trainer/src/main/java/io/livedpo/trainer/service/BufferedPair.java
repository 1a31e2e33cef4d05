package io.livedpo.trainer.service;

import io.livedpo.policy.train.PreferenceExample;
import java.time.Instant;

/** A consumed pair waiting for its mini-batch; {@code arrivedNanos} (System.nanoTime) bounds the wait. */
record BufferedPair(PreferenceExample example, Instant newestFeedbackAt, long arrivedNanos) {
}
