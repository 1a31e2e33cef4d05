package io.livedpo.trainer.service;

import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.transfer.ArchiveSignature;

/** A checkpoint directory packed into one archive: the unit that is pushed, fetched and hashed. */
public record PackedCheckpoint(CheckpointMetadata meta, byte[] bytes) {

    /** The header that precedes the archive on a push or a fetch; the newest checkpoint is the one to serve. */
    public ArchiveHeader header(ArchiveSignature signer) {
        return ArchiveHeader.of(meta, bytes, signer, true);
    }
}
