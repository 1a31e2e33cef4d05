package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void aTakenPortIsRefusedNamingTheOptionThatMovesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Ports free = Ports.ephemeral();
            Ports ports = new Ports(free.kafka(), free.controller(), taken.getLocalPort(), free.feedback(),
                    free.trainer(), free.servingControl(), free.servingManagement(), free.feedbackManagement(),
                    free.trainerManagement());
            PortTakenException e = assertThrows(PortTakenException.class, ports::requireFree);
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("--serving-port"), e.getMessage());
        }
    }
}
