package io.livedpo.trainer.grpc;

import io.livedpo.transfer.StatusDescriptionLimit;
import jakarta.inject.Singleton;

/** {@link StatusDescriptionLimit} on every gRPC service of the trainer (the checkpoint store, {@link StoreServer}). */
@Singleton
public class TrainerStatusLimit extends StatusDescriptionLimit {
}
