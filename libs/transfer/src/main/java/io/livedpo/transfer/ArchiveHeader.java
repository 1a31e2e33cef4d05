package io.livedpo.transfer;

import com.google.protobuf.ByteString;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.common.Sha256;
import io.livedpo.proto.CheckpointHeader;

/**
 * What the sender claims about a checkpoint archive, sent before its bytes on a push and on a fetch; the receiver
 * checks the bytes, and the metadata inside them, against it.
 *
 * @param sha256    lower-case hex SHA-256 of the archive
 * @param signature HMAC-SHA256 of the archive ({@link ArchiveSignature}); empty when signing is off
 * @param activate  activate right after a passing canary; false only stages the version
 * @param canary    with {@code activate}: start as a live canary beside the active version instead of replacing it
 */
public record ArchiveHeader(String policy, long version, long parentVersion, String baseModel, String sha256,
                            long sizeBytes, byte[] signature, boolean activate, boolean canary) {

    public ArchiveHeader(String policy, long version, long parentVersion, String baseModel, String sha256,
                         long sizeBytes, byte[] signature, boolean activate) {
        this(policy, version, parentVersion, baseModel, sha256, sizeBytes, signature, activate, false);
    }

    /** The same header, asking for a live canary ({@code true}) or an immediate swap. */
    public ArchiveHeader asCanary(boolean liveCanary) {
        return new ArchiveHeader(policy, version, parentVersion, baseModel, sha256, sizeBytes, signature, activate,
                liveCanary);
    }

    /** The header of a packed checkpoint directory whose {@code livedpo.json} is {@code meta}. */
    public static ArchiveHeader of(CheckpointMetadata meta, byte[] archive, ArchiveSignature signer,
                                   boolean activate) {
        return new ArchiveHeader(meta.policy(), meta.version(), meta.parentVersion(), meta.baseModel(),
                Sha256.hex(archive), archive.length, signer.sign(archive), activate);
    }

    public static ArchiveHeader fromProto(CheckpointHeader h) {
        return new ArchiveHeader(h.getPolicy(), h.getVersion(), h.getParentVersion(), h.getBaseModel(), h.getSha256(),
                h.getSizeBytes(), h.getSignature().toByteArray(), h.getActivate(), h.getCanary());
    }

    public CheckpointHeader toProto() {
        return CheckpointHeader.newBuilder().setPolicy(policy).setVersion(version).setParentVersion(parentVersion)
                .setBaseModel(baseModel).setSha256(sha256).setSizeBytes(sizeBytes)
                .setSignature(ByteString.copyFrom(signature)).setActivate(activate).setCanary(canary).build();
    }

    /** True when the metadata unpacked from the archive is the checkpoint this header announced. */
    public boolean describes(CheckpointMetadata meta) {
        return meta.policy().equals(policy) && meta.version() == version && meta.parentVersion() == parentVersion
                && meta.baseModel().equals(baseModel);
    }

    /** {@code policy@version}, as logs and errors name a checkpoint. */
    public String label() {
        return policy + "@" + version;
    }
}
