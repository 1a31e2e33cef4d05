package io.livedpo.serving;

import io.grpc.ManagedChannel;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of Quarkus tests that call the app's gRPC services: a loopback channel per test, shut down after it. */
abstract class LoopbackChannelTest {

    @TestHTTPResource
    URL url;

    ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = TestClients.channel(url);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }
}
