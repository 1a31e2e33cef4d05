package io.livedpo.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.proto.PushCheckpointResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The lanes the publisher pushes through. Each push here is a future the test completes, standing for a replica's
 * answer; one never completed is a replica cut off by a partition (its attempt waiting out its deadline).
 */
class PushLanesTest {

    private final PushLanes lanes = new PushLanes();
    /** Per target, the versions whose push was started, in order; and the futures standing for their answers. */
    private final Map<String, List<Long>> started = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<PushCheckpointResponse>> inFlight = new ConcurrentHashMap<>();

    private CompletableFuture<PushCheckpointResponse> submit(String target, long version) {
        return lanes.submit(target, "default", version, () -> {
            started.computeIfAbsent(target, t -> new ArrayList<>()).add(version);
            CompletableFuture<PushCheckpointResponse> answer = new CompletableFuture<>();
            inFlight.put(target, answer);
            return answer;
        });
    }

    private void answer(String target, long version) {
        inFlight.get(target).complete(PushCheckpointResponse.newBuilder().setActiveVersion(version).build());
    }

    @Test
    void aReplicaThatNeverAnswersHoldsUpNoOtherReplica() throws Exception {
        CompletableFuture<PushCheckpointResponse> cutOff1 = submit("b", 1);
        for (long v = 1; v <= 3; v++) {
            CompletableFuture<PushCheckpointResponse> a = submit("a", v);
            answer("a", v);
            assertEquals(v, a.get().getActiveVersion(), "replica a got v" + v + " while b hangs");
            if (v > 1) {
                submit("b", v);
            }
        }
        assertEquals(List.of(1L, 2L, 3L), started.get("a"));
        assertEquals(List.of(1L), started.get("b"), "b's lane waits for its push in flight");
        assertFalse(cutOff1.isDone());
    }

    @Test
    void aBusyLaneKeepsOnlyTheNewestVersionWaitingAndPushesItNext() throws Exception {
        CompletableFuture<PushCheckpointResponse> v1 = submit("b", 1);
        CompletableFuture<PushCheckpointResponse> v2 = submit("b", 2);
        CompletableFuture<PushCheckpointResponse> v3 = submit("b", 3);

        ExecutionException superseded = assertThrows(ExecutionException.class, v2::get);
        assertInstanceOf(PushLanes.Superseded.class, superseded.getCause());
        assertTrue(superseded.getCause().getMessage().contains("v2 superseded by v3"));
        assertFalse(v3.isDone());

        answer("b", 1); // the partition heals: the push in flight completes, then the newest goes
        assertEquals(1, v1.get().getActiveVersion());
        assertEquals(List.of(1L, 3L), started.get("b"), "v2 was never pushed; v3 followed v1");
        answer("b", 3);
        assertEquals(3, v3.get().getActiveVersion());
    }

    @Test
    void aFailedPushFailsItsVersionAndTheLaneGoesOn() throws Exception {
        CompletableFuture<PushCheckpointResponse> v1 = submit("b", 1);
        CompletableFuture<PushCheckpointResponse> v2 = submit("b", 2);
        inFlight.get("b").completeExceptionally(new IllegalStateException("attempts exhausted"));
        assertEquals("attempts exhausted", assertThrows(ExecutionException.class, v1::get).getCause().getMessage());
        answer("b", 2);
        assertEquals(2, v2.get().getActiveVersion());

        CompletableFuture<PushCheckpointResponse> thrown = lanes.submit("b", "default", 3, () -> {
            throw new IllegalArgumentException("no channel");
        });
        assertInstanceOf(IllegalArgumentException.class, assertThrows(ExecutionException.class, thrown::get)
                .getCause());
        CompletableFuture<PushCheckpointResponse> v4 = submit("b", 4);
        answer("b", 4);
        assertEquals(4, v4.get().getActiveVersion(), "a push that threw does not block its lane");
    }

    @Test
    void policiesHaveLanesOfTheirOwn() throws Exception {
        submit("b", 1); // "default" on b in flight
        CompletableFuture<PushCheckpointResponse> other = lanes.submit("b", "other", 7,
                () -> CompletableFuture.completedFuture(PushCheckpointResponse.newBuilder().setActiveVersion(7)
                        .build()));
        assertEquals(7, other.get().getActiveVersion());
    }

    @Test
    void awaitIdleReturnsOncePushesFinish() throws Exception {
        CompletableFuture<PushCheckpointResponse> v1 = submit("b", 1);
        Thread answerer = new Thread(() -> answer("b", 1));
        answerer.start();
        lanes.awaitIdle(Duration.ofMinutes(1));
        assertTrue(v1.isDone(), "awaitIdle returned only after the push finished");
        answerer.join();
    }
}
