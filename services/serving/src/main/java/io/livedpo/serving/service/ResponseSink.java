package io.livedpo.serving.service;

import io.livedpo.events.ResponseEvent;

/** Where the chat use case hands its response events; messaging implements it, so service never depends on Kafka. */
public interface ResponseSink {

    /** Accepts the event without making the request wait for delivery. */
    void publish(ResponseEvent event);
}
