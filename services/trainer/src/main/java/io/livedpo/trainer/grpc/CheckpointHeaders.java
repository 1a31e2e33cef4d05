package io.livedpo.trainer.grpc;

import com.google.protobuf.ByteString;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.trainer.service.PackedCheckpoint;

/** The header that precedes an archive on a push and on a fetch: the receiver checks the bytes against it. */
public final class CheckpointHeaders {

    private CheckpointHeaders() {
    }

    public static CheckpointHeader of(PackedCheckpoint packed, byte[] signature, boolean activate) {
        return CheckpointHeader.newBuilder()
                .setPolicy(packed.meta().policy())
                .setVersion(packed.meta().version())
                .setParentVersion(packed.meta().parentVersion())
                .setBaseModel(packed.meta().baseModel())
                .setSha256(packed.sha256())
                .setSizeBytes(packed.bytes().length)
                .setSignature(ByteString.copyFrom(signature))
                .setActivate(activate)
                .build();
    }
}
