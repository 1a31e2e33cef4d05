package io.livedpo.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A service as a child JVM ({@code java -jar quarkus-run.jar} with {@code -D} settings), ready when Quarkus says so. */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Service service;
    private final String name;
    private final String host;
    private final int port;
    private final ChildJvm jvm;

    private ServiceProcess(Service service, String name, String host, int port, ChildJvm jvm) {
        this.service = service;
        this.name = name;
        this.host = host;
        this.port = port;
        this.jvm = jvm;
    }

    /**
     * @param name the instance's name ({@code serving-2} for a second replica), used for its log
     * @param port the instance's management port, where readiness is asked
     */
    static ServiceProcess start(Path home, Service service, String name, String host, int port,
                                Map<String, String> settings, Path workDir, Path log) throws IOException {
        if (!service.built(home)) {
            throw new IllegalStateException(service.displayName() + " is not built: no " + service.jar(home)
                    + " (build it with ./mvnw -DskipTests package -pl " + service.modulePath() + " -am)");
        }
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx1g"));
        jvmArgs.addAll(JVM_OPTIONS);
        settings.forEach((k, v) -> jvmArgs.add("-D" + k + "=" + v));
        return new ServiceProcess(service, name, host, port, ChildJvm.start(name, jvmArgs,
                List.of("-jar", service.jar(home).toString()), workDir, log));
    }

    /**
     * What every service JVM started here gets besides its heap and settings. jdk.incubator.vector: serving's Java
     * decode engine (the default) and its bf16 base need it in the boot layer.
     */
    static final List<String> JVM_OPTIONS = List.of("-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector");

    void awaitReady(Duration timeout) {
        Poll.until(name + " ready at " + readyUri(), timeout, this::ready, jvm::deathNotice);
    }

    private URI readyUri() {
        return URI.create("http://" + host + ":" + port + "/q/health/ready");
    }

    private boolean ready() {
        try {
            HttpRequest request = HttpRequest.newBuilder(readyUri()).timeout(Duration.ofSeconds(3)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    Service service() {
        return service;
    }

    String name() {
        return name;
    }

    Path log() {
        return jvm.log();
    }

    /** {@code kill -9} (see {@link ChildJvm#kill()}). */
    void kill() {
        jvm.kill();
    }

    @Override
    public void close() {
        jvm.close();
    }
}
