package io.livedpo.serving.grpc;

import io.livedpo.transfer.StatusDescriptionLimit;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.inject.Singleton;

/** {@link StatusDescriptionLimit} on every gRPC service of serving (chat and ModelControl). */
@Singleton
@GlobalInterceptor
public class ServingStatusLimit extends StatusDescriptionLimit {
}
