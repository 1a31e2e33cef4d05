package io.livedpo.transfer;

import io.livedpo.common.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An archive fully received into the staging directory, not yet trusted: {@link #verify} checks it against its
 * header. Closing deletes the staged file, so every path that receives one frees the disk in one place.
 */
public record ReceivedArchive(ArchiveHeader header, Path file) implements AutoCloseable {

    /**
     * Checks size, SHA-256 and signature against the header.
     *
     * @throws CheckpointRejectedException with reason {@code size}, {@code sha256} or {@code signature}
     */
    public void verify(ArchiveSignature signature) throws IOException {
        long size = Files.size(file);
        if (size != header.sizeBytes()) {
            throw new CheckpointRejectedException("size",
                    "received " + size + " bytes, the header announced " + header.sizeBytes());
        }
        String sha = Sha256.hex(file);
        if (!sha.equals(header.sha256())) {
            throw new CheckpointRejectedException("sha256",
                    "archive sha256 is " + sha + ", the header announced " + header.sha256());
        }
        if (!signature.verify(file, header.signature())) {
            throw new CheckpointRejectedException("signature", "missing or wrong HMAC-SHA256 signature");
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
