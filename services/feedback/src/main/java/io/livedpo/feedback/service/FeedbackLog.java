package io.livedpo.feedback.service;

import io.livedpo.events.FeedbackEvent;
import java.util.concurrent.CompletionStage;

/** Where accepted feedback goes; the stage completes once the event is durable (the broker acknowledged it). */
public interface FeedbackLog {

    CompletionStage<Void> append(FeedbackEvent event);
}
