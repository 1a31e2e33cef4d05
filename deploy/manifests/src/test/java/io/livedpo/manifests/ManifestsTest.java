package io.livedpo.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.livedpo.events.TopicContract;
import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.events.TopicSpec;
import io.livedpo.events.Topics;
import io.livedpo.feedback.config.FeedbackConfig;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.trainer.config.TrainerConfig;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every overlay renders, parses strictly, and agrees with the code it deploys. */
class ManifestsTest {

    static final List<String> OVERLAYS = List.of("dev", "prod", "gpu", "strimzi", "plain-kafka", "prod-mtls");
    private static final List<String> HEALTH = List.of("/q/health/started", "/q/health/live", "/q/health/ready");

    static Map<String, AppConfig> apps = new HashMap<>();
    static Map<String, Rendered> rendered = new HashMap<>();

    @BeforeAll
    static void renderAndReadTheApps() throws Exception {
        apps.put("livedpo-serving", AppConfig.of("serving", ServingConfig.class));
        apps.put("livedpo-feedback", AppConfig.of("feedback", FeedbackConfig.class));
        apps.put("livedpo-trainer", AppConfig.of("trainer", TrainerConfig.class));
        for (String overlay : OVERLAYS) {
            rendered.put(overlay, Rendered.overlay(overlay));
        }
    }

    static Stream<String> overlays() {
        return OVERLAYS.stream();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyObjectParsesStrictly(String overlay) throws Exception {
        Rendered r = rendered.get(overlay);
        assertFalse(r.objects().isEmpty());
        for (JsonNode o : r.objects()) {
            StrictModel.parse(overlay, o);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void selectorsMatchTheirPodsAndServicesNameContainerPorts(String overlay) throws Exception {
        Rendered r = rendered.get(overlay);
        List<Deployment> deployments = typed(r, "Deployment", Deployment.class);
        assertEquals(apps.keySet(), deployments.stream().map(d -> d.getMetadata().getName())
                .collect(java.util.stream.Collectors.toSet()));
        for (Deployment d : deployments) {
            assertTrue(matches(d.getSpec().getSelector(), d.getSpec().getTemplate().getMetadata().getLabels()),
                    d.getMetadata().getName() + ": selector does not match its own pods");
        }
        for (Service s : typed(r, "Service", Service.class)) {
            Deployment target = deployments.stream().filter(d -> labelsContain(
                    d.getSpec().getTemplate().getMetadata().getLabels(), s.getSpec().getSelector())).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + " Service " + s.getMetadata().getName()
                            + " selects no pods"));
            List<ContainerPort> ports = container(target).getPorts();
            for (ServicePort p : s.getSpec().getPorts()) {
                IntOrString t = p.getTargetPort();
                assertTrue(ports.stream().anyMatch(cp -> t.getStrVal() != null ? t.getStrVal().equals(cp.getName())
                        : t.getIntVal().equals(cp.getContainerPort())),
                        s.getMetadata().getName() + " port " + p.getName() + " names no container port");
            }
        }
        for (PodDisruptionBudget pdb : typed(r, "PodDisruptionBudget", PodDisruptionBudget.class)) {
            assertTrue(deployments.stream().anyMatch(d -> matches(pdb.getSpec().getSelector(),
                    d.getSpec().getTemplate().getMetadata().getLabels())), pdb.getMetadata().getName() + " selects nothing");
        }
        for (NetworkPolicy np : typed(r, "NetworkPolicy", NetworkPolicy.class)) {
            assertTrue(deployments.stream().anyMatch(d -> matches(np.getSpec().getPodSelector(),
                    d.getSpec().getTemplate().getMetadata().getLabels())), np.getMetadata().getName() + " selects nothing");
        }
        for (HorizontalPodAutoscaler hpa : typed(r, "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class)) {
            r.get("Deployment", hpa.getSpec().getScaleTargetRef().getName());
        }
        for (JsonNode so : r.ofKind("ScaledObject")) {
            r.get("Deployment", so.path("spec").path("scaleTargetRef").path("name").asText());
        }
        for (JsonNode sm : r.ofKind("ServiceMonitor")) {
            String app = sm.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/name").asText();
            Service s = typed(r, "Service", Service.class).stream()
                    .filter(x -> app.equals(x.getMetadata().getLabels().get("app.kubernetes.io/name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(sm + " selects no Service"));
            String port = sm.path("spec").path("endpoints").get(0).path("port").asText();
            assertEquals("management", port, sm.path("metadata").path("name").asText() + " scrapes another port");
            assertTrue(s.getSpec().getPorts().stream().anyMatch(p -> port.equals(p.getName())), port);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void probesAndPortsAreTheAppsOwnAndEveryEnvVarIsARealProperty(String overlay) throws Exception {
        for (Deployment d : typed(rendered.get(overlay), "Deployment", Deployment.class)) {
            String name = d.getMetadata().getName();
            AppConfig app = apps.get(name);
            Container c = container(d);
            Map<String, Integer> expectedPorts = new HashMap<>(Map.of("http", app.httpPort(), "management",
                    app.managementPort()));
            if (name.equals("livedpo-serving")) {
                expectedPorts.put("control", AppConfig.servingControlPort());
            }
            Map<String, Integer> ports = new HashMap<>();
            c.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
            assertEquals(expectedPorts, ports, name + ": quarkus.http.port, quarkus.management.port (and serving's "
                    + "ModelControl port)");
            List<Probe> probes = List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe());
            for (int i = 0; i < probes.size(); i++) {
                assertEquals(HEALTH.get(i), probes.get(i).getHttpGet().getPath(), name);
                assertEquals("management", probes.get(i).getHttpGet().getPort().getStrVal(),
                        name + ": health is on the management interface");
            }
            for (EnvVar e : c.getEnv()) {
                if (e.getName().equals("OMP_WAIT_POLICY")) {
                    // Read by libtorch's OpenMP when it loads, not by the app: only its two values mean anything.
                    assertTrue(Set.of("PASSIVE", "ACTIVE").contains(e.getValue()), overlay + " " + name + ": "
                            + e.getValue());
                } else if (e.getName().equals("JAVA_TOOL_OPTIONS")) {
                    // The JVM's: used only for DJL's PyTorch thread counts, which DJL reads as system properties.
                    for (String option : e.getValue().trim().split("\\s+")) {
                        assertTrue(option.matches("-Dai\\.djl\\.pytorch\\.num_(interop_)?threads=[1-9][0-9]*"),
                                overlay + " " + name + ": JAVA_TOOL_OPTIONS " + option);
                    }
                } else {
                    assertTrue(app.envNames().contains(e.getName()),
                            overlay + " " + name + ": " + e.getName() + " sets no property of " + app.app());
                }
            }
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertTrue(pod.getSecurityContext().getRunAsNonRoot(), name);
            assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem(), name);
            assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
                    name + ": a read-only root needs a writable /tmp");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kedaScalesTheTrainersOnTheirOwnGroupAndTopicWithinThePairsPartitions(String overlay) throws Exception {
        Rendered r = rendered.get(overlay);
        JsonNode so = r.get("ScaledObject", "livedpo-trainer");
        JsonNode kafka = so.path("spec").path("triggers").get(0).path("metadata");
        assertEquals(AppConfig.defaultOf(TrainerConfig.class, "groupId"), kafka.path("consumerGroup").asText());
        assertEquals(AppConfig.defaultOf(TrainerConfig.class, "pairsTopic"), kafka.path("topic").asText());
        assertEquals(Topics.PAIRS, kafka.path("topic").asText());
        Container trainer = container(typed(r, "Deployment", Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("livedpo-trainer")).findFirst().orElseThrow());
        assertTrue(trainer.getEnv().stream().anyMatch(e -> e.getName().equals(kafka.path("bootstrapServersFromEnv")
                .asText())), "KEDA reads the bootstrap servers from the trainer's own env");
        int max = so.path("spec").path("maxReplicaCount").asInt();
        assertTrue(max >= 1 && max <= pairsPartitions(r), overlay + ": maxReplicaCount " + max
                + " exceeds the pairs partitions " + pairsPartitions(r));
    }

    /**
     * ModelControl's port admits trainer pods only, the management port the monitoring namespace only, and the trainer
     * pushes to ModelControl's port behind the headless service.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void networkPoliciesConfineEachPortToItsCallers(String overlay) throws Exception {
        Rendered r = rendered.get(overlay);
        Map<String, Integer> rulesPerPort = new HashMap<>();
        for (NetworkPolicy np : typed(r, "NetworkPolicy", NetworkPolicy.class)) {
            for (var rule : np.getSpec().getIngress()) {
                for (var port : rule.getPorts()) {
                    String named = port.getPort().getStrVal();
                    rulesPerPort.merge(named, 1, Integer::sum);
                    if (named.equals("control")) {
                        assertEquals(1, rule.getFrom().size(), np.getMetadata().getName());
                        assertEquals(Map.of("app.kubernetes.io/name", "livedpo-trainer"),
                                rule.getFrom().get(0).getPodSelector().getMatchLabels(), "control: trainers only");
                        assertEquals(null, rule.getFrom().get(0).getNamespaceSelector(), "control: this namespace");
                    } else if (named.equals("management")) {
                        assertEquals(1, rule.getFrom().size(), np.getMetadata().getName());
                        assertEquals(Map.of("kubernetes.io/metadata.name", "monitoring"),
                                rule.getFrom().get(0).getNamespaceSelector().getMatchLabels(),
                                "management: the monitoring namespace only");
                        assertEquals(null, rule.getFrom().get(0).getPodSelector(), np.getMetadata().getName());
                    }
                    assertEquals(1, rule.getPorts().size(), np.getMetadata().getName() + ": one port per rule");
                }
            }
        }
        assertEquals(1, rulesPerPort.get("control"));
        assertEquals(3, rulesPerPort.get("management"), "every service's management port has its rule");
        Service headless = (Service) StrictModel.parse(overlay, r.get("Service", "livedpo-serving-headless"));
        Container trainer = container(typed(r, "Deployment", Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("livedpo-trainer")).findFirst().orElseThrow());
        String dnsPort = trainer.getEnv().stream().filter(e -> e.getName().equals("LIVEDPO_TRAINER_PUBLISH_DNS_PORT"))
                .findFirst().orElseThrow().getValue();
        assertEquals(1, headless.getSpec().getPorts().size(), "the headless service is for pushes only");
        ServicePort push = headless.getSpec().getPorts().get(0);
        assertEquals("control", push.getTargetPort().getStrVal(), "pushes reach ModelControl's port");
        assertEquals(Integer.parseInt(dnsPort), push.getPort());
        assertEquals(AppConfig.servingControlPort(), Integer.parseInt(dnsPort));
    }

    /**
     * Where the cluster is external (the Secret livedpo-kafka), every app sets every shared Kafka client property from
     * that Secret's key of the same name, so Streams, producers, consumers and admin clients log in alike; KEDA's
     * scaler authenticates through a TriggerAuthentication reading the same Secret.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void anExternalClusterGivesEveryClientTheSameCredentials(String overlay) throws Exception {
        Rendered r = rendered.get(overlay);
        List<Deployment> deployments = typed(r, "Deployment", Deployment.class);
        boolean external = deployments.stream().flatMap(d -> container(d).getEnv().stream())
                .anyMatch(e -> secretKey(e) != null && secretKey(e).getName().equals("livedpo-kafka"));
        if (!external) {
            assertTrue(r.ofKind("TriggerAuthentication").isEmpty(), overlay);
            return;
        }
        for (Deployment d : deployments) {
            Map<String, String> fromSecret = new HashMap<>();
            for (EnvVar e : container(d).getEnv()) {
                if (secretKey(e) != null && secretKey(e).getName().equals("livedpo-kafka")) {
                    fromSecret.put(e.getName(), secretKey(e).getKey());
                }
            }
            Map<String, String> expected = new HashMap<>();
            KafkaClientProperties.SHARED.forEach(k -> expected.put(AppConfig.envName(KafkaClientProperties.PREFIX + k), k));
            assertEquals(expected, fromSecret, overlay + " " + d.getMetadata().getName());
        }
        JsonNode trigger = r.get("ScaledObject", "livedpo-trainer").path("spec").path("triggers").get(0);
        JsonNode auth = r.get("TriggerAuthentication", trigger.path("authenticationRef").path("name").asText());
        for (JsonNode ref : auth.path("spec").path("secretTargetRef")) {
            assertEquals("livedpo-kafka", ref.path("name").asText(), ref.toString());
        }
    }

    private static io.fabric8.kubernetes.api.model.SecretKeySelector secretKey(EnvVar e) {
        return e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
    }

    /**
     * The decision for a policy that moves to another trainer pod: all pods share one ReadWriteMany checkpoint volume
     * (TrainingLoopTest.aRebalanceMovesAPolicyWithItsStateAndLosesNothing shows a second trainer over the same store
     * resuming the policy from its newest checkpoint), and announcements point at the Service, which any pod answers.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void everyTrainerPodMountsTheOneSharedCheckpointStore(String overlay) throws Exception {
        Rendered r = rendered.get(overlay);
        Deployment trainer = typed(r, "Deployment", Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("livedpo-trainer")).findFirst().orElseThrow();
        Container c = container(trainer);
        String storeDir = c.getEnv().stream().filter(e -> e.getName().equals("LIVEDPO_STORE_DIR")).findFirst()
                .orElseThrow().getValue();
        String volume = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(storeDir)).findFirst()
                .orElseThrow(() -> new AssertionError("the store dir is on no volume")).getName();
        String claim = trainer.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(volume)).findFirst().orElseThrow()
                .getPersistentVolumeClaim().getClaimName();
        io.fabric8.kubernetes.api.model.PersistentVolumeClaim pvc = typed(r, "PersistentVolumeClaim",
                io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class).stream()
                .filter(p -> p.getMetadata().getName().equals(claim)).findFirst().orElseThrow();
        assertEquals(List.of("ReadWriteMany"), pvc.getSpec().getAccessModes(), "shared by every trainer pod");
        String prefix = c.getEnv().stream().filter(e -> e.getName().equals("LIVEDPO_TRAINER_PUBLISH_LOCATION_PREFIX"))
                .findFirst().orElseThrow().getValue();
        Service service = typed(r, "Service", Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals("livedpo-trainer")).findFirst().orElseThrow();
        assertEquals("grpc://" + service.getMetadata().getName() + ":" + service.getSpec().getPorts().get(0).getPort(),
                prefix);
    }

    /**
     * With mutual TLS (the grpc-mtls component), trainer and serving each turn livedpo.grpc.tls on with its cert, key
     * and trust bundle as files of one mounted Secret; the trainer, which dials replicas by pod IP, verifies them by
     * the headless service's name. Without it, neither sets any TLS property (plaintext plus the token, the default).
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void mutualTlsFilesComeFromAMountedSecretWhereverTlsIsOn(String overlay) throws Exception {
        for (Deployment d : typed(rendered.get(overlay), "Deployment", Deployment.class)) {
            String name = d.getMetadata().getName();
            Container c = container(d);
            Map<String, String> tls = new HashMap<>();
            c.getEnv().stream().filter(e -> e.getName().startsWith("LIVEDPO_GRPC_TLS_"))
                    .forEach(e -> tls.put(e.getName(), e.getValue()));
            if (!overlay.endsWith("-mtls") || name.equals("livedpo-feedback")) {
                assertEquals(Map.of(), tls, overlay + " " + name);
                continue;
            }
            assertEquals("true", tls.get("LIVEDPO_GRPC_TLS_ENABLED"), overlay + " " + name);
            for (String file : List.of("CERT", "KEY", "TRUST")) {
                String path = tls.get("LIVEDPO_GRPC_TLS_" + file);
                assertNotNull(path, overlay + " " + name + ": LIVEDPO_GRPC_TLS_" + file);
                var mount = c.getVolumeMounts().stream().filter(m -> path.startsWith(m.getMountPath() + "/"))
                        .findFirst().orElseThrow(() -> new AssertionError(name + ": " + path + " is on no volume"));
                var volume = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                        .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
                assertNotNull(volume.getSecret(), name + ": " + path + " comes from a Secret");
                assertEquals(name + "-grpc-tls", volume.getSecret().getSecretName(), name);
                assertTrue(mount.getReadOnly(), name);
            }
            if (name.equals("livedpo-trainer")) {
                String dnsName = c.getEnv().stream().filter(e -> e.getName().equals("LIVEDPO_TRAINER_PUBLISH_DNS_NAME"))
                        .findFirst().orElseThrow().getValue();
                assertEquals(dnsName, tls.get("LIVEDPO_GRPC_TLS_SERVER_NAME"), "the name replicas are verified by");
            }
        }
    }

    /**
     * Wherever mutual TLS is on, cert-manager issues each Secret a Deployment mounts for it: a Certificate whose
     * secretName is that Secret, with the key as PKCS#8 (all GrpcTls reads), usable for server and client
     * authentication (each pod is both), renewed before it expires, naming what peers verify (serving: the headless
     * service the trainer verifies replicas by; the trainer: the host serving's catch-up dials), in the short and the
     * namespace-qualified forms, and signed by a CA Issuer whose CA certificate cert-manager also makes. Overlays
     * without TLS render no cert-manager objects.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void certManagerIssuesEveryMountedTlsSecret(String overlay) throws Exception {
        Rendered r = rendered.get(overlay);
        if (!overlay.endsWith("-mtls")) {
            assertEquals(List.of(), r.ofKind("Certificate"), overlay);
            assertEquals(List.of(), r.ofKind("Issuer"), overlay);
            return;
        }
        Map<String, String> peerNames = new HashMap<>();
        for (Deployment d : typed(r, "Deployment", Deployment.class)) {
            Container c = container(d);
            c.getEnv().stream().filter(e -> e.getName().equals("LIVEDPO_GRPC_TLS_SERVER_NAME"))
                    .forEach(e -> peerNames.put("livedpo-serving", e.getValue()));
            c.getEnv().stream().filter(e -> e.getName().equals("LIVEDPO_SERVING_CATCH_UP_CHECKPOINT_STORE"))
                    .forEach(e -> peerNames.put("livedpo-trainer", e.getValue().substring(0,
                            e.getValue().lastIndexOf(':'))));
        }
        assertEquals(Set.of("livedpo-serving", "livedpo-trainer"), peerNames.keySet(), overlay);
        for (Deployment d : typed(r, "Deployment", Deployment.class)) {
            String name = d.getMetadata().getName();
            if (!peerNames.containsKey(name)) {
                continue;
            }
            String mounted = container(d).getEnv().stream().filter(e -> e.getName().equals("LIVEDPO_GRPC_TLS_CERT"))
                    .map(e -> e.getValue().substring(0, e.getValue().lastIndexOf('/'))).findFirst().orElseThrow();
            String volume = container(d).getVolumeMounts().stream().filter(m -> m.getMountPath().equals(mounted))
                    .findFirst().orElseThrow().getName();
            String secret = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                    .filter(v -> v.getName().equals(volume)).findFirst().orElseThrow().getSecret().getSecretName();
            JsonNode cert = r.ofKind("Certificate").stream()
                    .filter(o -> o.path("spec").path("secretName").asText().equals(secret)).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no Certificate issues " + secret));
            JsonNode spec = cert.path("spec");
            assertEquals("PKCS8", spec.path("privateKey").path("encoding").asText(), secret);
            List<String> usages = new ArrayList<>();
            spec.path("usages").forEach(u -> usages.add(u.asText()));
            assertTrue(usages.containsAll(List.of("server auth", "client auth")), secret + " " + usages);
            long duration = hours(spec.path("duration").asText());
            long renewBefore = hours(spec.path("renewBefore").asText());
            assertTrue(renewBefore > 0 && renewBefore < duration, secret + ": renewBefore inside duration");
            String namespace = cert.path("metadata").path("namespace").asText();
            assertEquals(d.getMetadata().getNamespace(), namespace, secret + ": in the pods' namespace");
            List<String> dnsNames = new ArrayList<>();
            spec.path("dnsNames").forEach(n -> dnsNames.add(n.asText()));
            String peer = peerNames.get(name);
            assertEquals(List.of(peer, peer + "." + namespace, peer + "." + namespace + ".svc",
                    peer + "." + namespace + ".svc.cluster.local"), dnsNames, secret);

            JsonNode issuer = r.get("Issuer", spec.path("issuerRef").path("name").asText());
            assertEquals("Issuer", spec.path("issuerRef").path("kind").asText(), secret);
            String caSecret = issuer.path("spec").path("ca").path("secretName").asText();
            JsonNode ca = r.ofKind("Certificate").stream()
                    .filter(o -> o.path("spec").path("secretName").asText().equals(caSecret)).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no Certificate makes the CA " + caSecret));
            assertTrue(ca.path("spec").path("isCA").asBoolean(), caSecret);
            r.get("Issuer", ca.path("spec").path("issuerRef").path("name").asText());
        }
    }

    /** A cert-manager duration in whole hours, as these manifests write them ({@code 2160h}). */
    private static long hours(String goDuration) {
        assertTrue(goDuration.matches("[0-9]+h"), goDuration + ": expected whole hours");
        return Long.parseLong(goDuration.substring(0, goDuration.length() - 1));
    }

    /** The pairs topic's partitions in this overlay: its KafkaTopic, or what the feedback service creates. */
    private static int pairsPartitions(Rendered r) throws Exception {
        for (JsonNode t : r.ofKind("KafkaTopic")) {
            if (t.path("spec").path("topicName").asText().equals(Topics.PAIRS)) {
                return t.path("spec").path("partitions").asInt();
            }
        }
        Container feedback = container(typed(r, "Deployment", Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("livedpo-feedback")).findFirst().orElseThrow());
        return feedback.getEnv().stream().filter(e -> e.getName().equals("LIVEDPO_FEEDBACK_KAFKA_PARTITIONS"))
                .map(e -> Integer.parseInt(e.getValue())).findFirst()
                .orElse(Integer.parseInt(AppConfig.defaultOf(FeedbackConfig.Kafka.class, "partitions")));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void strimziTopicsAreExactlyTheContract(String overlay) {
        Rendered r = rendered.get(overlay);
        List<JsonNode> topics = r.ofKind("KafkaTopic");
        if (topics.isEmpty()) {
            assertTrue(r.ofKind("Kafka").isEmpty(), overlay + ": a Strimzi Kafka without the contract's topics");
            return;
        }
        int scaled = topics.stream().filter(t -> t.path("spec").path("topicName").asText().equals(Topics.PAIRS))
                .findFirst().orElseThrow().path("spec").path("partitions").asInt();
        int replicas = r.get("KafkaNodePool", "dual").path("spec").path("replicas").asInt();
        Map<String, JsonNode> byName = new HashMap<>();
        topics.forEach(t -> byName.put(t.path("spec").path("topicName").asText(), t));
        assertEquals(TopicContract.all().stream().map(TopicSpec::name).collect(java.util.stream.Collectors.toSet()),
                byName.keySet());
        for (TopicSpec spec : TopicContract.all()) {
            JsonNode t = byName.get(spec.name()).path("spec");
            assertEquals(spec.partitionCount(scaled), t.path("partitions").asInt(), spec.name());
            assertTrue(t.path("replicas").asInt() <= replicas, spec.name() + ": more replicas than brokers");
            Map<String, String> config = new HashMap<>();
            t.path("config").fields().forEachRemaining(f -> config.put(f.getKey(), f.getValue().asText()));
            assertEquals(spec.configs(), config, spec.name());
        }
    }

    @org.junit.jupiter.api.Test
    void prometheusRulesAreTheRuleFilesOfDeployPrometheus() throws Exception {
        java.nio.file.Path dir = Rendered.HOME.resolve("deploy/prometheus/rules");
        Map<String, JsonNode> sources = new HashMap<>();
        if (Files.isDirectory(dir)) {
            try (Stream<java.nio.file.Path> files = Files.list(dir)) {
                for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                    sources.put("livedpo-" + f.getFileName().toString().replace(".yml", ""),
                            Rendered.YAML.readTree(f.toFile()));
                }
            }
        }
        Map<String, JsonNode> generated = new HashMap<>();
        for (JsonNode rule : rendered.get("prod").ofKind("PrometheusRule")) {
            generated.put(rule.path("metadata").path("name").asText(), rule.path("spec"));
        }
        assertEquals(sources, generated,
                "k8s/components/monitoring/prometheus-rules.yaml is stale: run k8s/components/monitoring/generate-rules.sh");
    }

    static <T> List<T> typed(Rendered r, String kind, Class<T> type) throws Exception {
        List<T> out = new ArrayList<>();
        for (JsonNode o : r.ofKind(kind)) {
            out.add(type.cast(StrictModel.parse(r.overlay(), o)));
        }
        return out;
    }

    static Container container(Deployment d) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), d.getMetadata().getName());
        return containers.get(0);
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        assertTrue(selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty(),
                "selectors here use matchLabels only");
        return labelsContain(labels, selector.getMatchLabels());
    }

    static boolean labelsContain(Map<String, String> labels, Map<String, String> wanted) {
        return wanted != null && !wanted.isEmpty() && labels.entrySet().containsAll(wanted.entrySet());
    }
}
