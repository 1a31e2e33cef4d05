package io.livedpo.manifests;

import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.transfer.GrpcTls;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration one app really reads: its {@code @ConfigMapping} properties, the keys of its
 * application.properties, and the environment variables those properties name; each as the environment variable
 * that sets it (SmallRye's rule: non-alphanumerics become '_', upper case).
 */
record AppConfig(String app, Set<String> envNames, int httpPort, int managementPort) {

    /** Read by the JVM launch or by DJL, not by Quarkus: where DJL keeps its unpacked natives. */
    private static final Set<String> RUNTIME_ENV = Set.of("DJL_CACHE_DIR", "JAVA_OPTS");

    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):");

    /** {@code app} is the folder under services/; its application.properties is read from the source tree. */
    static AppConfig of(String app, Class<?> mapping) throws IOException {
        Set<String> env = new TreeSet<>(RUNTIME_ENV);
        if (!app.equals("feedback")) {
            // Trainer and serving read livedpo.grpc.tls.* through libs/transfer's GrpcTls, declared there once.
            GrpcTls.SETTINGS.forEach(k -> env.add(envName(GrpcTls.PREFIX + k)));
        }
        // Every app's Kafka clients read exactly these kafka.* keys (libs/events KafkaClientProperties).
        env.addAll(kafkaPassthrough());
        String prefix = mapping.getAnnotation(ConfigMapping.class).prefix();
        collect(mapping, prefix, env);
        Properties props = new Properties();
        // Every app jar has an application.properties at the same classpath root: read this app's own.
        String text = Files.readString(Rendered.HOME.resolve("services/" + app + "/src/main/resources/application.properties"));
        props.load(new StringReader(text));
        for (String key : props.stringPropertyNames()) {
            if (!key.startsWith("%")) {
                env.add(envName(key));
            }
        }
        Matcher m = ENV_REFERENCE.matcher(text);
        while (m.find()) {
            env.add(m.group(1));
        }
        return new AppConfig(app, env, Integer.parseInt(props.getProperty("quarkus.http.port")),
                Integer.parseInt(props.getProperty("quarkus.management.port")));
    }

    /** The env vars of the shared Kafka client settings: KAFKA_BOOTSTRAP_SERVERS, KAFKA_SASL_JAAS_CONFIG... */
    static Set<String> kafkaPassthrough() {
        Set<String> names = new TreeSet<>();
        KafkaClientProperties.SHARED.forEach(k -> names.add(envName(KafkaClientProperties.PREFIX + k)));
        return names;
    }

    /** Serving's ModelControl port: its own gRPC server's default. */
    static int servingControlPort() throws NoSuchMethodException {
        return Integer.parseInt(defaultOf(io.livedpo.serving.config.ServingConfig.Control.class, "port"));
    }

    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** A {@code @WithDefault} of the mapping, by its getter path, e.g. {@code "groupId"}. */
    static String defaultOf(Class<?> mapping, String method) throws NoSuchMethodException {
        return mapping.getMethod(method).getAnnotation(WithDefault.class).value();
    }

    private static void collect(Class<?> type, String prefix, Set<String> env) {
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
                continue;
            }
            String name = prefix + "." + kebab(m.getName());
            Class<?> r = m.getReturnType();
            if (r.isInterface() && r.getName().startsWith("io.livedpo.")) {
                collect(r, name, env);
            } else {
                env.add(envName(name));
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
