package io.livedpo.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livedpo.proto.ActivateRequest;
import io.livedpo.proto.ModelControlGrpc.ModelControlBlockingStub;
import io.livedpo.proto.ModelStatus;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.RollbackRequest;
import io.livedpo.proto.StatusRequest;
import io.livedpo.transfer.GrpcTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The operator's handle on model versions across serving replicas, over the ModelControl gRPC API: one JSON line
 * per replica. Exit 0 when every replica answered, 1 when any call failed (its line says why), 2 for bad input.
 */
@Command(mixinStandardHelpOptions = true,
        name = "models", description = "Show, activate, roll back or pin the model version each serving replica"
        + " serves (ModelControl gRPC); one JSON line per replica.",
        subcommands = {ModelsCommand.StatusCommand.class, ModelsCommand.ActivateCommand.class,
                ModelsCommand.RollbackCommand.class, ModelsCommand.PinCommand.class})
final class ModelsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Env var holding the control-plane token; a flag would leave it in shell history and process lists. */
    static final String TOKEN_ENV = "LIVEDPO_CONTROL_TOKEN";

    /** Options every sub-command shares. */
    static final class Target {
        @Option(names = "--serving", required = true, split = ",", paramLabel = "URL",
                description = "serving replicas' ModelControl addresses (livedpo.serving.control.port, 8180 by default): "
                        + "host:port or http(s)://host:port, comma-separated")
        List<String> replicas;

        @Option(names = "--token-file", paramLabel = "FILE", description = "file holding the control-plane token"
                + " (default: the " + TOKEN_ENV + " environment variable)")
        Path tokenFile;

        @Option(names = "--deadline", defaultValue = "30", paramLabel = "SECONDS",
                description = "per-call deadline (a push-sized activate can take seconds)")
        long deadlineSeconds;

        @Option(names = "--tls-cert", paramLabel = "FILE", description = "mutual TLS, for replicas with "
                + "livedpo.grpc.tls.enabled: this client's certificate (PEM); needs --tls-key and --tls-trust")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "FILE", description = "the certificate's private key "
                + "(unencrypted PKCS#8 PEM)")
        Path tlsKey;

        @Option(names = "--tls-trust", paramLabel = "FILE", description = "CA bundle (PEM) the replicas' "
                + "certificates are verified against")
        Path tlsTrust;

        @Option(names = "--tls-server-name", paramLabel = "NAME", description = "verify the replicas' "
                + "certificates against this name instead of the host dialled")
        String tlsServerName;

        /** Plaintext (or https:// with the system's trust), or mutual TLS when the --tls-* files are given. */
        GrpcTls tls() {
            if (tlsCert == null && tlsKey == null && tlsTrust == null) {
                return GrpcTls.OFF;
            }
            if (tlsCert == null || tlsKey == null || tlsTrust == null) {
                throw new BadInputException("mutual TLS needs all of --tls-cert, --tls-key and --tls-trust");
            }
            try {
                return GrpcTls.of(tlsCert, tlsKey, tlsTrust, Optional.ofNullable(tlsServerName));
            } catch (IllegalStateException e) {
                throw new BadInputException(e.getMessage());
            }
        }

        String token() throws IOException {
            String token = tokenFile != null ? Files.readString(tokenFile, StandardCharsets.UTF_8).strip()
                    : System.getenv(TOKEN_ENV);
            if (token == null || token.isBlank()) {
                throw new BadInputException("no control-plane token: set " + TOKEN_ENV + " or pass --token-file FILE");
            }
            return token;
        }
    }


    /** One replica's action; its result or a failure becomes that replica's JSON line. */
    interface Action {
        Map<String, Object> on(ModelControlBlockingStub replica);
    }

    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        // Not mixinStandardHelpOptions: its -V/--version would clash with the model --version of activate and pin.
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        abstract Action action();

        @Override
        public Integer call() throws IOException {
            String token = target.token();
            GrpcTls tls = target.tls();
            Action action = action();
            boolean failed = false;
            for (String replica : target.replicas) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("serving", replica);
                try (ModelControlClient client = new ModelControlClient(replica, token, tls, target.deadlineSeconds)) {
                    line.putAll(action.on(client.stub()));
                } catch (StatusRuntimeException e) {
                    line.put("error", ModelControlClient.describe(e));
                    failed = true;
                }
                Json.print(spec.commandLine().getOut(), line);
            }
            return failed ? 1 : 0;
        }
    }

    /** Activate and pin: a policy and the version to act on. */
    abstract static class VersionBase extends Base {
        @Option(names = "--policy", required = true, paramLabel = "P")
        String policy;

        @Option(names = "--version", required = true, paramLabel = "V")
        long version;

        ActivateRequest activateRequest() {
            return ActivateRequest.newBuilder().setPolicy(policy).setVersion(version).build();
        }
    }

    @Command(name = "status", description = "The active and previous version of each policy on each replica.")
    static final class StatusCommand extends Base {
        @Option(names = "--policy", paramLabel = "P", description = "one policy (default: all)")
        String policy;

        @Override
        Action action() {
            return stub -> {
                List<Map<String, Object>> policies = new ArrayList<>();
                stub.status(StatusRequest.newBuilder().setPolicy(policy == null ? "" : policy).build())
                        .getPoliciesList().forEach(s -> policies.add(json(s)));
                return Map.of("policies", policies);
            };
        }
    }

    @Command(name = "activate", description = "Make a version already pushed to the replicas active.")
    static final class ActivateCommand extends VersionBase {
        @Override
        Action action() {
            return stub -> json(stub.activate(activateRequest()));
        }
    }

    @Command(name = "rollback", description = "Return each replica to the version it served before (kept loaded).")
    static final class RollbackCommand extends Base {
        @Option(names = "--policy", required = true, paramLabel = "P")
        String policy;

        @Option(names = "--reason", defaultValue = "operator rollback (livedpo models)", paramLabel = "TEXT",
                description = "logged by serving and kept for audits")
        String reason;

        @Override
        Action action() {
            return stub -> json(stub.rollback(RollbackRequest.newBuilder().setPolicy(policy).setReason(reason)
                    .build()));
        }
    }

    /**
     * Brings every replica to one version now: nothing if it is active, a rollback if it is the previous one, an
     * activate otherwise. It does not stop the trainer's next push from moving on; pause the trainer for that.
     */
    @Command(name = "pin", description = "Bring every replica to one version: no-op if active, rollback if it is"
            + " the previous one, activate otherwise. The trainer's next activated push moves on; pause it to hold.")
    static final class PinCommand extends VersionBase {
        @Override
        Action action() {
            return stub -> {
                ModelStatus now = stub.status(StatusRequest.newBuilder().setPolicy(policy).build())
                        .getPoliciesList().stream().filter(s -> s.getPolicy().equals(policy)).findFirst()
                        .orElseThrow(() -> Status.NOT_FOUND.withDescription("the replica does not serve '"
                                + policy + "'").asRuntimeException());
                if (now.getActiveVersion() == version) {
                    return json(now.toBuilder().setOutcome(Outcome.UNCHANGED).build());
                }
                if (now.getPreviousVersion() == version) {
                    return json(stub.rollback(RollbackRequest.newBuilder().setPolicy(policy)
                            .setReason("pinned to version " + version + " (livedpo models pin)").build()));
                }
                return json(stub.activate(activateRequest()));
            };
        }
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a sub-command: status, activate, rollback or pin");
    }

    static Map<String, Object> json(ModelStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", s.getPolicy());
        m.put("active_version", s.getActiveVersion());
        m.put("previous_version", s.getPreviousVersion());
        m.put("candidate_version", s.getCandidateVersion()); // a live canary on trial; -1 when none
        m.put("outcome", s.getOutcome().name().toLowerCase(Locale.ROOT));
        m.put("reason", s.getReason());
        m.put("base_model", s.getBaseModel());
        return m;
    }
}
