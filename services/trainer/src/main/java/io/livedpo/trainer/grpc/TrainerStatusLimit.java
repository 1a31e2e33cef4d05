package io.livedpo.trainer.grpc;

import io.livedpo.transfer.StatusDescriptionLimit;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.inject.Singleton;

/** {@link StatusDescriptionLimit} on every gRPC service of the trainer (the checkpoint store). */
@Singleton
@GlobalInterceptor
public class TrainerStatusLimit extends StatusDescriptionLimit {
}
