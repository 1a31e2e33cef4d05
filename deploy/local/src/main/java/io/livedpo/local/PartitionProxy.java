package io.livedpo.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback standing in for one network link, so the chaos runner can partition it: the trainer reaches
 * a serving replica's ModelControl port through one, and the replica reaches the trainer's CheckpointStore through
 * another. Plain blocking sockets, two threads per connection: the links it carries are a handful of gRPC channels.
 *
 * <ul>
 *   <li>{@link #blackHole()}: every byte in either direction, and every new connection, is held at the proxy — as
 *       when packets are dropped and the peers' TCP keeps retransmitting. Nothing is lost: on {@link #heal()} the held
 *       bytes go on, unless a peer gave up first (a gRPC deadline, say).</li>
 *   <li>{@link #cut()}: every open connection is reset (RST to both peers) and every new one is reset as soon as it
 *       is accepted — a firewall that rejects, or a peer's connection state lost.</li>
 *   <li>{@link #heal()}: traffic passes again.</li>
 * </ul>
 */
public final class PartitionProxy implements AutoCloseable {

    public enum Mode { OPEN, BLACK_HOLE, CUT }

    private static final int BUFFER = 16 * 1024;

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final String name;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    /** Pumps and connections waiting at the gate while black-holed, with or without bytes in hand. */
    private final AtomicInteger held = new AtomicInteger();
    private Mode mode = Mode.OPEN; // guarded by gate
    private boolean closed; // guarded by gate

    private PartitionProxy(ServerSocket server, InetSocketAddress upstream, String name) {
        this.server = server;
        this.upstream = upstream;
        this.name = name;
    }

    /**
     * Listens on {@code host} at a port the OS chooses (bound here, so no other process can take it in between) and
     * forwards to {@code upstream}, which need not be listening yet: each connection is opened upstream when it is
     * accepted (or, while black-holed, when the partition heals).
     */
    public static PartitionProxy start(String name, String host, InetSocketAddress upstream) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, 0), 50);
        PartitionProxy proxy = new PartitionProxy(server, upstream, name);
        daemon(name + "-accept", proxy::acceptLoop);
        return proxy;
    }

    /** {@code host:port} to give a client in place of the upstream address. */
    public String hostPort() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    public Mode mode() {
        synchronized (gate) {
            return mode;
        }
    }

    /** Connections currently carried (accepted and not yet closed or reset). */
    public int connections() {
        return links.size();
    }

    /** Directions of open connections, and new connections, waiting at the black hole now. */
    public int held() {
        return held.get();
    }

    public void blackHole() {
        setMode(Mode.BLACK_HOLE);
    }

    /** Resets every open connection; new ones are reset when accepted, until {@link #heal()}. */
    public void cut() {
        setMode(Mode.CUT);
        links.forEach(Link::reset);
    }

    public void heal() {
        setMode(Mode.OPEN);
    }

    private void setMode(Mode m) {
        synchronized (gate) {
            mode = m;
            gate.notifyAll();
        }
    }

    /**
     * Blocks while black-holed; true when the bytes (or the connection) may pass, false when they must be reset: cut
     * or closed.
     */
    private boolean pass() {
        synchronized (gate) {
            if (mode == Mode.BLACK_HOLE && !closed) {
                held.incrementAndGet();
                try {
                    while (mode == Mode.BLACK_HOLE && !closed) {
                        gate.wait();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } finally {
                    held.decrementAndGet();
                }
            }
            return mode == Mode.OPEN && !closed;
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Link link = new Link(client);
                links.add(link);
                daemon(name + "-conn", () -> connect(link));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    // A failed accept (out of file descriptors, say) is the proxy's failure, not the partition's.
                    System.err.println(name + ": accept failed: " + e.getMessage());
                }
            }
        }
    }

    /** Opens the upstream side once the link lets the connection through, then pumps both ways. */
    private void connect(Link link) {
        try {
            if (!pass()) {
                link.reset();
                return;
            }
            Socket up = new Socket();
            up.setTcpNoDelay(true);
            up.connect(upstream, 5_000);
            if (!link.attach(up)) {
                return; // cut while connecting
            }
            daemon(name + "-up", () -> pump(link, link.client, up));
            pump(link, up, link.client);
        } catch (IOException e) {
            link.reset(); // upstream down: the client sees its connection reset, as it would without the proxy
        }
    }

    private void pump(Link link, Socket from, Socket to) {
        byte[] buf = new byte[BUFFER];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                int n = in.read(buf);
                if (!pass()) {
                    link.reset();
                    return;
                }
                if (n < 0) {
                    to.shutdownOutput(); // pass the half-close on; the link closes when both sides did
                    link.halfClosed();
                    return;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            link.reset();
        }
    }

    @Override
    public void close() {
        synchronized (gate) {
            closed = true;
            gate.notifyAll();
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing our own listening socket: nothing to recover
        }
        links.forEach(Link::reset);
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** One client connection and, once opened, its upstream connection. */
    private final class Link {
        private final Socket client;
        private Socket upstreamSocket; // guarded by this
        private boolean reset; // guarded by this
        private int halfClosed; // guarded by this

        Link(Socket client) {
            this.client = client;
        }

        /** False (and the socket closed) when the link was reset meanwhile. */
        synchronized boolean attach(Socket up) {
            if (reset) {
                abort(up);
                return false;
            }
            upstreamSocket = up;
            return true;
        }

        synchronized void halfClosed() {
            if (++halfClosed == 2) {
                close(client);
                close(upstreamSocket);
                links.remove(this);
            }
        }

        /** Closes both sides with SO_LINGER 0, which sends RST: each peer sees "connection reset". */
        synchronized void reset() {
            reset = true;
            abort(client);
            abort(upstreamSocket);
            links.remove(this);
        }

        private static void abort(Socket s) {
            if (s == null || s.isClosed()) {
                return;
            }
            try {
                s.setSoLinger(true, 0);
            } catch (SocketException ignored) {
                // already broken: closing it is all that is left
            }
            close(s);
        }

        private static void close(Socket s) {
            if (s == null) {
                return;
            }
            try {
                s.close();
            } catch (IOException ignored) {
                // a socket we own failing to close has nothing left to release
            }
        }
    }
}
