package io.livedpo.serving.grpc;

import io.livedpo.serving.config.ServingConfig;
import io.livedpo.transfer.ControlToken;
import jakarta.inject.Singleton;

/** The control plane's guard: every ModelControl call needs {@code authorization: Bearer <token>}. */
@Singleton
public class ControlTokenInterceptor extends ControlToken {

    public ControlTokenInterceptor(ServingConfig config) {
        super(config.control().token());
    }
}
