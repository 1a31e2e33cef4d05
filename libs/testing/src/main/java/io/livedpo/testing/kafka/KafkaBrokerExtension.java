package io.livedpo.testing.kafka;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the JVM's shared {@link KafkaBroker} into test constructors, lifecycle methods and test methods.
 * The root store closes it when the whole test run ends, not after each class, so every class reuses it.
 */
public final class KafkaBrokerExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public KafkaBroker resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // JUnit 6 closes AutoCloseable values of a store when its context ends (CloseableResource is deprecated).
        return context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent(RunScopedBroker.class, key -> new RunScopedBroker(KafkaBrokers.shared()),
                        RunScopedBroker.class)
                .broker();
    }

    /** Ties the shared broker's end to the end of the JUnit run. */
    private record RunScopedBroker(KafkaBroker broker) implements AutoCloseable {
        @Override
        public void close() {
            KafkaBrokers.closeShared();
        }
    }
}
