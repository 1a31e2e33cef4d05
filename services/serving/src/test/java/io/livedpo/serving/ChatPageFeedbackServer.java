package io.livedpo.serving;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the feedback service: a real HTTP server on loopback that answers the two vote endpoints as the
 * service does (202 with a feedback_id, CORS for the page's origin) and records every POST. Serving's
 * {@code livedpo.serving.feedback-url} points at it, so the chat page in the browser posts its votes here.
 *
 * <p>The recordings reach the test through a field named {@code feedbackPosts} of type
 * {@code BlockingQueue<Map<String, String>>} (keys path, origin, body), and a field {@code feedbackFailures}
 * ({@code AtomicInteger}) makes that many next POSTs fail with 503, as a feedback service that is down would: JDK
 * types only, because Quarkus may load this resource and the test instance in different class loaders.
 */
public class ChatPageFeedbackServer implements QuarkusTestResourceLifecycleManager {

    private final BlockingQueue<Map<String, String>> posts = new LinkedBlockingQueue<>();
    private final AtomicInteger failures = new AtomicInteger();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the recording feedback server", e);
        }
        server.createContext("/v1/feedback", this::handle);
        server.start();
        // 127.0.0.1 while the page is served from localhost: a different origin, so the browser really does CORS.
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("livedpo.serving.feedback-url", url);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String origin = exchange.getRequestHeaders().getFirst("Origin");
            var headers = exchange.getResponseHeaders();
            if (origin != null) {
                headers.add("Access-Control-Allow-Origin", origin);
                headers.add("Vary", "Origin");
            }
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/v1/feedback") && !path.equals("/v1/feedback/pairwise")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            switch (exchange.getRequestMethod()) {
                case "OPTIONS" -> {
                    // The JSON content type makes the browser preflight; Chromium also asks about private-network
                    // access on loopback, which must be allowed explicitly.
                    headers.add("Access-Control-Allow-Methods", "POST, OPTIONS");
                    headers.add("Access-Control-Allow-Headers", "Content-Type");
                    headers.add("Access-Control-Allow-Private-Network", "true");
                    headers.add("Access-Control-Max-Age", "600");
                    exchange.sendResponseHeaders(204, -1);
                }
                case "POST" -> {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        // Refused, so not recorded: the real service would not have stored it either.
                        byte[] problem = ("{\"title\":\"Service Unavailable\",\"status\":503,"
                                + "\"detail\":\"feedback store unavailable\"}").getBytes(StandardCharsets.UTF_8);
                        headers.add("Content-Type", "application/problem+json");
                        exchange.sendResponseHeaders(503, problem.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(problem);
                        }
                        return;
                    }
                    posts.add(Map.of("path", path, "origin", String.valueOf(origin), "body", body));
                    byte[] reply = ("{\"feedback_id\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);
                    headers.add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(202, reply.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(reply);
                    }
                }
                default -> exchange.sendResponseHeaders(405, -1);
            }
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(posts, (Field f) -> f.getName().equals("feedbackPosts")
                && f.getType().getName().equals(BlockingQueue.class.getName()));
        injector.injectIntoFields(failures, (Field f) -> f.getName().equals("feedbackFailures")
                && f.getType().getName().equals(AtomicInteger.class.getName()));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
