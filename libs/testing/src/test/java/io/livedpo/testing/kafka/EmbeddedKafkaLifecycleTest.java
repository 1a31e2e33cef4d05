package io.livedpo.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A broker owned by the test itself, to check what the shared one hides: its port and its data directory. */
class EmbeddedKafkaLifecycleTest {

    @Test
    void listensOnLocalhostAndRemovesItsDataOnClose() throws Exception {
        Path dataDir;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            dataDir = kafka.dataDir();
            assertTrue(Files.isDirectory(dataDir));
            String[] hostPort = kafka.bootstrapServers().split(":");
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 5_000);
            }
        }
        assertFalse(Files.exists(dataDir), dataDir + " left behind");
    }
}
