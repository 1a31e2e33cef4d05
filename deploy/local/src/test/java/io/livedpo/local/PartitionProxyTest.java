package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PartitionProxy} on real loopback sockets, in front of an echo server that counts what reaches it: traffic
 * passes when open; black-holed bytes and connections are held at the proxy (never reach the server) and go on,
 * unharmed, when the link heals; a cut resets open connections and new ones; a healed link carries new connections.
 */
class PartitionProxyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private ServerSocket echoServer;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private PartitionProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::echo, "echo-accept");
        t.setDaemon(true);
        t.start();
        proxy = PartitionProxy.start("test-proxy", "127.0.0.1",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), echoServer.getLocalPort()));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echoServer.close();
    }

    private void echo() {
        while (!echoServer.isClosed()) {
            try {
                Socket s = echoServer.accept();
                accepted.incrementAndGet();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        byte[] b = new byte[1024];
                        for (int n; (n = in.read(b)) > 0; ) {
                            received.addAndGet(n);
                            out.write(b, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // the proxy reset the connection: the test looks at what the client saw
                    }
                }, "echo");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private Socket connect() throws IOException {
        String[] hostPort = proxy.hostPort().split(":");
        Socket s = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
        s.setSoTimeout((int) WAIT.toMillis()); // a read that hangs fails the test instead of hanging it
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(sent);
        s.getOutputStream().flush();
        return read(s, sent.length);
    }

    private static String read(Socket s, int length) throws IOException {
        byte[] got = s.getInputStream().readNBytes(length);
        return new String(got, StandardCharsets.UTF_8);
    }

    @Test
    void openLinkCarriesBytesBothWaysAndPassesOnTheClose() throws IOException {
        try (Socket s = connect()) {
            assertEquals("hello", roundTrip(s, "hello"));
            byte[] big = new byte[300_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(big);
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the read below fails then
                }
            });
            writer.start();
            assertArrayEquals(big, s.getInputStream().readNBytes(big.length), "300 kB through unchanged");
            assertEquals(-1, s.getInputStream().read(), "the server's close passed back through");
        }
        Poll.until("the finished connection is dropped", WAIT, () -> proxy.connections() == 0, () -> null);
    }

    @Test
    void blackHoledBytesAreHeldThenDeliveredOnHeal() throws IOException {
        try (Socket s = connect()) {
            assertEquals("before", roundTrip(s, "before"));
            long reachedServer = received.get();
            proxy.blackHole();
            s.getOutputStream().write("during".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            Poll.until("the proxy holds the bytes", WAIT, () -> proxy.held() >= 1, () -> null);
            assertEquals(reachedServer, received.get(), "nothing reached the server through the black hole");
            assertEquals(PartitionProxy.Mode.BLACK_HOLE, proxy.mode());

            proxy.heal();
            assertEquals("during", read(s, 6), "the held bytes arrive once healed, and the echo comes back");
            assertEquals("after", roundTrip(s, "after"));
        }
    }

    @Test
    void aNewConnectionIntoTheBlackHoleIsNotOpenedUpstreamUntilHeal() throws IOException {
        proxy.blackHole();
        try (Socket s = connect()) {
            s.getOutputStream().write("queued".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            Poll.until("the proxy holds the connection", WAIT, () -> proxy.held() >= 1, () -> null);
            assertEquals(0, accepted.get(), "the server never saw the connection");

            proxy.heal();
            assertEquals("queued", read(s, 6));
            assertEquals(1, accepted.get());
        }
    }

    @Test
    void cutResetsOpenConnectionsAndNewOnesUntilHeal() throws IOException {
        Socket open = connect();
        try (open) {
            assertEquals("x", roundTrip(open, "x"));
            proxy.cut();
            assertTrue(isReset(open), "the open connection was reset");
        }
        int seen = accepted.get();
        try (Socket during = connect()) {
            assertTrue(isReset(during), "a connection made during the cut is reset");
        }
        assertEquals(seen, accepted.get(), "no connection made during the cut reached the server");

        proxy.heal();
        try (Socket after = connect()) {
            assertEquals("healed", roundTrip(after, "healed"));
        }
    }

    @Test
    void anUnreachableUpstreamResetsTheClient() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (PartitionProxy nowhere = PartitionProxy.start("nowhere", "127.0.0.1",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
             Socket s = new Socket(InetAddress.getLoopbackAddress(),
                     Integer.parseInt(nowhere.hostPort().split(":")[1]))) {
            s.setSoTimeout((int) WAIT.toMillis());
            assertTrue(isReset(s), "the client sees the upstream refusal as a reset");
        }
    }

    /** A reset connection reads as an error or as end of stream, never as data; a write after it fails. */
    private static boolean isReset(Socket s) {
        try {
            int b = s.getInputStream().read();
            if (b != -1) {
                return false;
            }
        } catch (IOException e) {
            return true;
        }
        // End of stream: also a write must fail once the RST is in (the first write may still be buffered).
        assertThrows(IOException.class, () -> {
            for (int i = 0; i < 100; i++) {
                s.getOutputStream().write(new byte[1024]);
                s.getOutputStream().flush();
            }
        });
        return true;
    }
}
