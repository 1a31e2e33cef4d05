package io.livedpo.transfer;

import com.google.protobuf.ByteString;
import io.livedpo.proto.FetchResponse;
import io.livedpo.proto.PushCheckpointRequest;
import java.io.IOException;
import java.util.Iterator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** The framing of an archive on the wire, the same for a push and a fetch: the header, then chunks in order. */
public final class ArchiveFrames {

    /** At most 1 MiB per chunk, well under gRPC's default 4 MiB message limit. */
    public static final int CHUNK_BYTES = 1 << 20;

    private ArchiveFrames() {
    }

    /** The archive's chunks, copied lazily one at a time so a large archive is not held twice. */
    public static Stream<ByteString> chunks(byte[] archive, int chunkBytes) {
        int count = (archive.length + chunkBytes - 1) / chunkBytes;
        return IntStream.range(0, count).mapToObj(i -> ByteString.copyFrom(archive, i * chunkBytes,
                Math.min(chunkBytes, archive.length - i * chunkBytes)));
    }

    public static Stream<PushCheckpointRequest> push(ArchiveHeader header, byte[] archive) {
        return Stream.concat(Stream.of(PushCheckpointRequest.newBuilder().setHeader(header.toProto()).build()),
                chunks(archive, CHUNK_BYTES).map(c -> PushCheckpointRequest.newBuilder().setChunk(c).build()));
    }

    public static Stream<FetchResponse> fetch(ArchiveHeader header, byte[] archive) {
        return Stream.concat(Stream.of(FetchResponse.newBuilder().setHeader(header.toProto()).build()),
                chunks(archive, CHUNK_BYTES).map(c -> FetchResponse.newBuilder().setChunk(c).build()));
    }

    /** Reads a fetch's answer into {@code assembly}; the caller owns (and closes) the result. */
    public static ReceivedArchive receive(Iterator<FetchResponse> stream, ArchiveAssembly assembly)
            throws IOException {
        while (stream.hasNext()) {
            FetchResponse r = stream.next();
            if (r.hasHeader()) {
                assembly.header(r.getHeader());
            } else {
                assembly.chunk(r.getChunk());
            }
        }
        return assembly.finish();
    }
}
