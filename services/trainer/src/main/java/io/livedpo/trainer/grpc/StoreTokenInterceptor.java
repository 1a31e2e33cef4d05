package io.livedpo.trainer.grpc;

import io.livedpo.trainer.config.TrainerConfig;
import io.livedpo.transfer.ControlToken;
import jakarta.inject.Singleton;

/**
 * Guards the checkpoint store with the control-plane token the trainer sends to serving: an archive is the product's
 * model, served only to replicas that hold the token.
 */
@Singleton
public class StoreTokenInterceptor extends ControlToken {

    public StoreTokenInterceptor(TrainerConfig config) {
        super(config.publish().token());
    }
}
