package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.ActivateRequest;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.ModelStatus;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.RollbackRequest;
import io.livedpo.proto.StatusRequest;
import io.livedpo.proto.StatusResponse;
import io.livedpo.testing.tls.TestPki;
import io.livedpo.transfer.GrpcTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code livedpo models} against real gRPC servers on loopback: two replicas that keep versions the way serving
 * does (active, previous, loaded standbys) and demand the bearer token.
 */
class ModelsCommandTest {

    private static final String TOKEN = "s3cret-token";
    private final List<Server> servers = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws InterruptedException {
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void rollbackMovesEveryReplicaBackAndPrintsOneLineEach() throws Exception {
        Replica a = new Replica(3, 2, Set.of());
        Replica b = new Replica(3, 2, Set.of());
        CliRun run = CliRun.of("models", "rollback", "--serving", start(a) + "," + start(b), "--policy", "default",
                "--token-file", tokenFile(TOKEN).toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(2, run.json().size());
        for (JsonNode line : run.json()) {
            assertEquals(2, line.path("active_version").asLong(), line.toString());
            assertEquals("rolled_back", line.path("outcome").asText());
        }
        assertEquals(2, a.active);
        assertEquals(2, b.active);
    }

    @Test
    void pinActivatesRollsBackOrLeavesAloneAsEachReplicaNeeds() throws Exception {
        Replica onIt = new Replica(5, 4, Set.of());
        Replica ahead = new Replica(6, 5, Set.of());
        Replica behind = new Replica(4, 3, Set.of(5L));
        CliRun run = CliRun.of("models", "pin", "--serving", String.join(",", start(onIt), start(ahead),
                start(behind)), "--policy", "default", "--version", "5", "--token-file", tokenFile(TOKEN).toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("unchanged", "rolled_back", "activated"),
                run.json().stream().map(j -> j.path("outcome").asText()).toList());
        assertEquals(List.of(5L, 5L, 5L), List.of(onIt.active, ahead.active, behind.active));
    }

    @Test
    void statusListsPoliciesAndAFailedReplicaMakesExitOne() throws Exception {
        Replica a = new Replica(7, 6, Set.of());
        Path wrong = tokenFile("not-the-token");
        String url = "http://" + start(a);
        CliRun ok = CliRun.of("models", "status", "--serving", url, "--token-file", tokenFile(TOKEN).toString());
        assertEquals(0, ok.exitCode(), ok.err());
        assertEquals(7, ok.json().get(0).path("policies").get(0).path("active_version").asLong());

        CliRun refused = CliRun.of("models", "status", "--serving", url, "--token-file", wrong.toString());
        assertEquals(1, refused.exitCode());
        assertTrue(refused.json().get(0).path("error").asText().startsWith("UNAUTHENTICATED"), refused.out());
    }

    @Test
    void activatingAVersionTheReplicaDoesNotHoldIsReportedNotHidden() throws Exception {
        Replica a = new Replica(2, 1, Set.of());
        CliRun run = CliRun.of("models", "activate", "--serving", start(a), "--policy", "default", "--version",
                "9", "--token-file", tokenFile(TOKEN).toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.json().get(0).path("error").asText().startsWith("FAILED_PRECONDITION"), run.out());
        assertEquals(2, a.active);
    }

    @Test
    void withoutATokenNothingIsCalledAndTheMessageSaysWhere() throws Exception {
        Replica a = new Replica(2, 1, Set.of());
        CliRun run = CliRun.of("models", "rollback", "--serving", start(a), "--policy", "default");
        // The test JVM has no LIVEDPO_CONTROL_TOKEN (the build does not set it).
        assertEquals(Livedpo.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains(ModelsCommand.TOKEN_ENV) && run.err().contains("--token-file"), run.err());
        assertEquals(2, a.active);
    }

    @Test
    void theTokenIsNotAnOption() {
        CliRun run = CliRun.of("models", "status", "--serving", "127.0.0.1:1", "--token", TOKEN);
        assertEquals(Livedpo.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("Unknown option"), run.err());
    }

    @Test
    void againstAReplicaRequiringMutualTlsOnlyTheTlsOptionsGetThrough() throws Exception {
        TestPki.Authority ca = TestPki.authority("livedpo test CA");
        Path trust = ca.writeCertificate(dir, "ca.crt");
        TestPki.PemFiles serving = ca.issue("serving", "localhost", "127.0.0.1").write(dir, "serving");
        TestPki.PemFiles operator = ca.issue("operator").write(dir, "operator");
        GrpcTls.Lease lease = GrpcTls.of(serving.certificate(), serving.privateKey(), trust, Optional.empty()).lease();
        Server server = Grpc.newServerBuilderForPort(0, lease.serverCredentials())
                .addService(ServerInterceptors.intercept(new Replica(7, 6, Set.of()), new RequireToken())).build()
                .start();
        servers.add(server);
        String replica = "127.0.0.1:" + server.getPort();
        String token = tokenFile(TOKEN).toString();

        CliRun ok = CliRun.of("models", "status", "--serving", replica, "--token-file", token,
                "--tls-cert", operator.certificate().toString(), "--tls-key", operator.privateKey().toString(),
                "--tls-trust", trust.toString());
        assertEquals(0, ok.exitCode(), ok.err());
        assertEquals(7, ok.json().get(0).path("policies").get(0).path("active_version").asLong());

        CliRun plaintext = CliRun.of("models", "status", "--serving", replica, "--token-file", token);
        assertEquals(1, plaintext.exitCode());
        assertTrue(plaintext.json().get(0).path("error").asText().startsWith("UNAVAILABLE"), plaintext.out());

        CliRun partial = CliRun.of("models", "status", "--serving", replica, "--token-file", token,
                "--tls-cert", operator.certificate().toString());
        assertEquals(Livedpo.BAD_INPUT, partial.exitCode());
        assertTrue(partial.err().contains("--tls-key"), partial.err());
        lease.close();
    }

    private Path tokenFile(String token) throws Exception {
        Path f = Files.createTempFile(dir, "token", "");
        Files.writeString(f, token + "\n");
        return f;
    }

    private String start(Replica replica) throws Exception {
        Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(replica, new RequireToken())).build().start();
        servers.add(server);
        return "127.0.0.1:" + server.getPort();
    }

    /** The bearer check serving's ControlTokenInterceptor does. */
    private static final class RequireToken implements ServerInterceptor {
        private static final Metadata.Key<String> AUTHORIZATION =
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            if (!("Bearer " + TOKEN).equals(headers.get(AUTHORIZATION))) {
                call.close(Status.UNAUTHENTICATED.withDescription("token required"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            return next.startCall(call, headers);
        }
    }

    /** One replica's versions of the policy "default", moved the way serving's PolicyRegistry moves them. */
    private static final class Replica extends ModelControlGrpc.ModelControlImplBase {
        volatile long active;
        volatile long previous;
        private final Set<Long> standby;

        Replica(long active, long previous, Set<Long> standby) {
            this.active = active;
            this.previous = previous;
            this.standby = new HashSet<>(standby);
        }

        @Override
        public synchronized void activate(ActivateRequest request, StreamObserver<ModelStatus> response) {
            if (!standby.remove(request.getVersion())) {
                response.onError(Status.FAILED_PRECONDITION.withDescription("version " + request.getVersion()
                        + " is not loaded").asRuntimeException());
                return;
            }
            previous = active;
            active = request.getVersion();
            reply(response, Outcome.ACTIVATED);
        }

        @Override
        public synchronized void rollback(RollbackRequest request, StreamObserver<ModelStatus> response) {
            if (previous == 0) {
                response.onError(Status.FAILED_PRECONDITION.withDescription("no previous version")
                        .asRuntimeException());
                return;
            }
            active = previous;
            previous = 0;
            reply(response, Outcome.ROLLED_BACK);
        }

        @Override
        public synchronized void status(StatusRequest request, StreamObserver<StatusResponse> response) {
            response.onNext(StatusResponse.newBuilder().addPolicies(status(Outcome.UNCHANGED)).build());
            response.onCompleted();
        }

        private void reply(StreamObserver<ModelStatus> response, Outcome outcome) {
            response.onNext(status(outcome));
            response.onCompleted();
        }

        private ModelStatus status(Outcome outcome) {
            return ModelStatus.newBuilder().setPolicy("default").setActiveVersion(active).setPreviousVersion(previous)
                    .setOutcome(outcome).setBaseModel("tiny").build();
        }
    }
}
