package io.livedpo.serving;

import io.grpc.ManagedChannel;
import io.livedpo.serving.grpc.ControlServer;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.net.URL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of Quarkus tests that call the app's gRPC services: loopback channels per test, to the public port (ChatService)
 * and to ModelControl's own port, shut down after it.
 */
abstract class LoopbackChannelTest {

    @TestHTTPResource
    URL url;

    @Inject
    ControlServer controlServer;

    ManagedChannel channel;
    ManagedChannel controlChannel;

    @BeforeEach
    void connect() {
        channel = TestClients.channel(url);
        controlChannel = TestClients.controlChannel(controlServer);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
        controlChannel.shutdownNow();
    }
}
