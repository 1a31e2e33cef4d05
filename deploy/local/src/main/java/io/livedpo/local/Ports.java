package io.livedpo.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loopback ports the local stack listens on; the defaults are the apps' own: DESIGN.md's public ports, serving's
 * ModelControl port and each service's management interface (health, metrics).
 */
public record Ports(int kafka, int controller, int serving, int feedback, int trainer, int servingControl,
                    int servingManagement, int feedbackManagement, int trainerManagement) {

    public static final Ports DEFAULT = new Ports(9092, 9093, 8080, 8081, 8082, 8180, 9080, 9081, 9082);
    private static final int COUNT = 9;

    public Ports {
        for (int p : new int[] {kafka, controller, serving, feedback, trainer, servingControl, servingManagement,
                feedbackManagement, trainerManagement}) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port out of range: " + p);
            }
        }
    }

    /** Every port with the option that changes it, in start order. */
    public Map<String, Integer> byOption() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("--kafka-port", kafka);
        m.put("--controller-port", controller);
        m.put("--serving-port", serving);
        m.put("--feedback-port", feedback);
        m.put("--trainer-port", trainer);
        m.put("--serving-control-port", servingControl);
        m.put("--serving-management-port", servingManagement);
        m.put("--feedback-management-port", feedbackManagement);
        m.put("--trainer-management-port", trainerManagement);
        return m;
    }

    /** Where a service serves health and metrics. */
    public int management(Service s) {
        return switch (s) {
            case SERVING -> servingManagement;
            case FEEDBACK -> feedbackManagement;
            case TRAINER -> trainerManagement;
        };
    }

    /**
     * Refuses before anything starts, naming the port and the option that moves it: a child that fails to bind later
     * would only say so in its log.
     */
    public void requireFree() {
        if (byOption().values().stream().distinct().count() != byOption().size()) {
            throw new IllegalArgumentException("ports must differ: " + byOption());
        }
        byOption().forEach((option, port) -> {
            if (!isFree(port)) {
                throw new PortTakenException("port " + port + " is already in use (another livedpo up, or another "
                        + "program): stop it or choose another port with " + option);
            }
        });
    }

    public static boolean isFree(int port) {
        return isFree(InetAddress.getLoopbackAddress(), port);
    }

    /** Free on one loopback address ({@code 127.0.0.2}, say: a second serving replica's). */
    public static boolean isFree(String host, int port) {
        try {
            return isFree(InetAddress.getByName(host), port);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isFree(InetAddress address, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Distinct ports the OS says are free now (tests run beside other builds). */
    public static Ports ephemeral() {
        int[] p = new int[COUNT];
        ServerSocket[] held = new ServerSocket[COUNT];
        try {
            for (int i = 0; i < COUNT; i++) {
                held[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                p[i] = held[i].getLocalPort();
            }
        } catch (IOException e) {
            throw new IllegalStateException("no free ports", e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    if (s != null) {
                        s.close();
                    }
                } catch (IOException ignored) {
                    // closing a listening socket we own does not fail in a way we can act on
                }
            }
        }
        return new Ports(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);
    }
}
