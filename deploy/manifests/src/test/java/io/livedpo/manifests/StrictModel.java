package io.livedpo.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rendered objects into fabric8's typed models, with unknown fields an error. fabric8 keeps unknown fields in each
 * object's {@code additionalProperties} instead of failing, so every one of those maps in the parsed tree must be
 * empty. Custom resources (KEDA, Strimzi, Prometheus operator) are not in the core model: their {@code spec}'s keys
 * are checked against the fields their CRDs define that these manifests may use.
 */
final class StrictModel {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, Class<?>> CORE = Map.of(
            "Deployment", Deployment.class, "Service", Service.class, "ConfigMap", ConfigMap.class,
            "Secret", Secret.class, "PersistentVolumeClaim", PersistentVolumeClaim.class,
            "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "PodDisruptionBudget", PodDisruptionBudget.class, "NetworkPolicy", NetworkPolicy.class,
            "Ingress", Ingress.class);

    /**
     * apiVersion and the spec fields each custom kind may have (from the CRDs of KEDA 2.x, Strimzi 0.4x, prom-op,
     * cert-manager 1.x).
     */
    private static final Map<String, Custom> CUSTOM = Map.of(
            "ScaledObject", new Custom("keda.sh/v1alpha1", Set.of("scaleTargetRef", "minReplicaCount",
                    "maxReplicaCount", "pollingInterval", "cooldownPeriod", "idleReplicaCount", "advanced",
                    "fallback", "triggers")),
            "Kafka", new Custom("kafka.strimzi.io/v1beta2", Set.of("kafka", "entityOperator", "cruiseControl",
                    "kafkaExporter", "clientsCa", "clusterCa")),
            "KafkaNodePool", new Custom("kafka.strimzi.io/v1beta2", Set.of("replicas", "roles", "storage",
                    "resources", "jvmOptions", "template")),
            "KafkaTopic", new Custom("kafka.strimzi.io/v1beta2", Set.of("topicName", "partitions", "replicas",
                    "config")),
            "ServiceMonitor", new Custom("monitoring.coreos.com/v1", Set.of("selector", "endpoints",
                    "namespaceSelector", "jobLabel")),
            "PrometheusRule", new Custom("monitoring.coreos.com/v1", Set.of("groups")),
            "TriggerAuthentication", new Custom("keda.sh/v1alpha1", Set.of("secretTargetRef", "env",
                    "podIdentity")),
            "Issuer", new Custom("cert-manager.io/v1", Set.of("selfSigned", "ca", "acme", "vault", "venafi")),
            "Certificate", new Custom("cert-manager.io/v1", Set.of("secretName", "secretTemplate", "commonName",
                    "dnsNames", "ipAddresses", "uris", "emailAddresses", "subject", "duration", "renewBefore",
                    "isCA", "usages", "privateKey", "issuerRef", "keystores", "revisionHistoryLimit")));

    /** The authentication parameters KEDA's Kafka scaler reads. */
    static final Set<String> KEDA_KAFKA_AUTH = Set.of("sasl", "username", "password", "tls", "ca", "cert", "key",
            "keyPassword", "unsafeSsl");

    private static final Set<String> KEDA_KAFKA_METADATA = Set.of("bootstrapServers", "bootstrapServersFromEnv",
            "consumerGroup", "topic", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
            "allowIdleConsumers", "limitToPartitionsWithLag", "scaleToZeroOnInvalidOffset", "excludePersistentLag");

    private record Custom(String apiVersion, Set<String> specFields) {
    }

    private StrictModel() {
    }

    /** Parses {@code object} strictly; returns the typed model for core kinds, the tree for custom ones. */
    static Object parse(String where, JsonNode object) throws Exception {
        String kind = object.path("kind").asText();
        String at = where + " " + kind + "/" + object.path("metadata").path("name").asText();
        Class<?> type = CORE.get(kind);
        if (type != null) {
            Object typed = JSON.treeToValue(object, type);
            noUnknownFields(at, typed);
            return typed;
        }
        Custom custom = CUSTOM.get(kind);
        if (custom == null) {
            throw new AssertionError(at + ": a kind these tests do not know");
        }
        if (!custom.apiVersion().equals(object.path("apiVersion").asText())) {
            throw new AssertionError(at + ": apiVersion " + object.path("apiVersion").asText());
        }
        keysWithin(at, object, Set.of("apiVersion", "kind", "metadata", "spec"));
        keysWithin(at + " spec", object.path("spec"), custom.specFields());
        if (kind.equals("ScaledObject")) {
            for (JsonNode trigger : object.path("spec").path("triggers")) {
                keysWithin(at + " trigger", trigger, Set.of("type", "metadata", "authenticationRef", "name"));
                keysWithin(at + " kafka trigger", trigger.path("metadata"), KEDA_KAFKA_METADATA);
            }
        }
        if (kind.equals("TriggerAuthentication")) {
            for (JsonNode ref : object.path("spec").path("secretTargetRef")) {
                keysWithin(at + " secretTargetRef", ref, Set.of("parameter", "name", "key"));
                if (!KEDA_KAFKA_AUTH.contains(ref.path("parameter").asText())) {
                    throw new AssertionError(at + ": KEDA's Kafka scaler has no parameter " + ref.path("parameter"));
                }
            }
        }
        return object;
    }

    private static void keysWithin(String at, JsonNode node, Set<String> allowed) {
        node.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                throw new AssertionError(at + ": unknown field '" + f + "'");
            }
        });
    }

    private static void noUnknownFields(String at, Object value) throws Exception {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> c) {
            for (Object o : c) {
                noUnknownFields(at, o);
            }
            return;
        }
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                noUnknownFields(at + "." + e.getKey(), e.getValue());
            }
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || getter.getDeclaringClass() == Object.class
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
                continue;
            }
            Object field = getter.invoke(value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (!((Map<?, ?>) field).isEmpty()) {
                    throw new AssertionError(at + ": unknown field(s) " + ((Map<?, ?>) field).keySet() + " in "
                            + value.getClass().getSimpleName());
                }
            } else if (!(field instanceof String) && !(field instanceof Number) && !(field instanceof Boolean)) {
                noUnknownFields(at + "." + getter.getName().replaceFirst("^(get|is)", ""), field);
            }
        }
    }

    static List<String> customKinds() {
        return List.copyOf(CUSTOM.keySet());
    }
}
