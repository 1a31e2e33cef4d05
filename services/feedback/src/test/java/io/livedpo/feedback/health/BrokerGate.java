package io.livedpo.feedback.health;

import io.livedpo.testing.kafka.KafkaBroker;
import io.livedpo.testing.kafka.KafkaBrokers;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The app's bootstrap address: closed (connection refused, as for a broker that is down) until {@link #open()}
 * starts a broker of its own — empty, so the app must create its topics once it can — and relays to it byte for
 * byte. Kafka clients only bootstrap through the gate and then connect to the broker's advertised address, so opening
 * it is, for the app, the broker coming up.
 */
public class BrokerGate implements QuarkusTestResourceLifecycleManager {

    private static volatile BrokerGate current;

    private final Set<AutoCloseable> sockets = ConcurrentHashMap.newKeySet();
    private volatile KafkaBroker broker;
    private int port;

    @Override
    public Map<String, String> start() {
        // Reserve a free port and let it go: nothing listens there until the gate opens.
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        current = this;
        String address = "127.0.0.1:" + port;
        return Map.of("kafka.bootstrap.servers", address, "quarkus.kafka-streams.bootstrap-servers", address);
    }

    /** The gate of the running test application. */
    public static BrokerGate current() {
        return current;
    }

    /** The broker behind the gate, once open. */
    public KafkaBroker broker() {
        return broker;
    }

    public void open() throws IOException {
        broker = KafkaBrokers.start();
        String[] hostPort = broker.bootstrapServers().split(",")[0].split(":");
        InetSocketAddress upstream = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", port));
        sockets.add(server);
        daemon("broker-gate", () -> {
            while (!server.isClosed()) {
                try {
                    relay(server.accept(), upstream);
                } catch (IOException e) {
                    return; // closed by stop()
                }
            }
        });
    }

    private void relay(Socket client, InetSocketAddress to) throws IOException {
        Socket upstream = new Socket(to.getHostString(), to.getPort());
        sockets.add(client);
        sockets.add(upstream);
        daemon("broker-gate-out", () -> pipe(client, upstream));
        daemon("broker-gate-in", () -> pipe(upstream, client));
    }

    /** Daemon: a relay still copying when the JVM ends must not keep it alive. */
    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // One side hung up; closing both (the try) ends the other direction too.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    @Override
    public void stop() {
        sockets.forEach(BrokerGate::closeQuietly);
        if (broker != null) {
            broker.close();
        }
        current = null;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Already closed.
        }
    }
}
