package io.livedpo.feedback.rest;

import io.livedpo.events.problem.Problem;
import io.livedpo.events.problem.ProblemType;
import io.livedpo.feedback.service.FeedbackObserver;
import io.livedpo.feedback.service.IdempotencyConflictException;
import io.livedpo.feedback.service.RateLimitedException;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure of the feedback endpoints as {@code application/problem+json}. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    /** The producer retries internally for the whole send timeout already; a client should pause a little. */
    private static final Duration BROKER_RETRY_AFTER = Duration.ofSeconds(2);

    private final FeedbackObserver observer;

    ProblemMapper(FeedbackObserver observer) {
        this.observer = observer;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        observer.rejected(e.reason());
        Response.ResponseBuilder response = Response.status(e.problem().status())
                .type(Problem.MEDIA_TYPE)
                .entity(e.problem());
        if (e.retryAfter() != null) {
            response.header("Retry-After", Math.max(1, (e.retryAfter().toMillis() + 999) / 1000));
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response conflict(IdempotencyConflictException e) {
        return problem(new ProblemException(ProblemType.IDEMPOTENCY_CONFLICT, e.getMessage(),
                FeedbackResource.IDEMPOTENCY_KEY, null));
    }

    @ServerExceptionMapper
    public Response rateLimited(RateLimitedException e) {
        return problem(new ProblemException(ProblemType.RATE_LIMITED, e.getMessage(), null, e.retryAfter()));
    }

    @ServerExceptionMapper
    public Response brokerUnavailable(KafkaException e) {
        LOG.warnf("Feedback not acknowledged by the broker: %s", e.toString());
        return problem(new ProblemException(ProblemType.UNAVAILABLE,
                "The event was not acknowledged by Kafka; nothing was recorded. Retry later.", null,
                BROKER_RETRY_AFTER));
    }
}
