package io.livedpo.transfer;

import com.google.protobuf.ByteString;
import io.livedpo.proto.CheckpointHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Receives one archive as a header and then chunks, the framing of both a push and a fetch, into a file in the
 * staging directory. Bounded: a chunk over {@link ArchiveFrames#CHUNK_BYTES}, or more bytes than the header announced
 * or {@code maxBytes} allows, ends the transfer before it is written. Not thread-safe: one stream feeds it in order.
 */
public final class ArchiveAssembly implements AutoCloseable {

    private final Path stagingDir;
    private final long maxBytes;
    private ArchiveHeader header;
    private Path file;
    private OutputStream out;
    private long received;

    public ArchiveAssembly(Path stagingDir, long maxBytes) {
        this.stagingDir = stagingDir;
        this.maxBytes = maxBytes;
    }

    public void header(CheckpointHeader h) throws IOException {
        if (header != null) {
            throw new TransferProtocolException("only one header per transfer");
        }
        if (h.getSizeBytes() < 0 || h.getSizeBytes() > maxBytes) {
            throw new TransferProtocolException("the header announces " + h.getSizeBytes()
                    + " bytes; at most " + maxBytes + " are allowed");
        }
        header = ArchiveHeader.fromProto(h);
        Files.createDirectories(stagingDir);
        file = Files.createTempFile(stagingDir, "incoming-", ".tar");
        out = Files.newOutputStream(file);
    }

    public void chunk(ByteString chunk) throws IOException {
        if (header == null) {
            throw new TransferProtocolException("the first message must be the header");
        }
        if (chunk.size() > ArchiveFrames.CHUNK_BYTES) {
            throw new TransferProtocolException("chunks must be at most 1 MiB");
        }
        received += chunk.size();
        if (received > header.sizeBytes()) {
            throw new TransferProtocolException("more bytes than announced (" + header.sizeBytes() + ")");
        }
        chunk.writeTo(out);
    }

    /** The received archive, which the caller now owns (and closes); this assembly no longer deletes it. */
    public ReceivedArchive finish() throws IOException {
        if (header == null) {
            throw new TransferProtocolException("no header received");
        }
        out.close();
        ReceivedArchive archive = new ReceivedArchive(header, file);
        file = null;
        return archive;
    }

    /** Drops a transfer that did not finish: the partial file is deleted. */
    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
        if (file != null) {
            Files.deleteIfExists(file);
            file = null;
        }
    }
}
