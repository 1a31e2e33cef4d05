package io.livedpo.transfer;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.PushCheckpointRequest;
import io.livedpo.proto.PushCheckpointResponse;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The receiving end of one {@code ModelControl.PushCheckpoint} stream: assembles the archive, then hands it to the
 * installer on {@code installs} (verification, loading and the canary take seconds: never on a gRPC event loop).
 * Broken framing answers {@code INVALID_ARGUMENT}, a rejected checkpoint {@code FAILED_PRECONDITION}, anything else
 * {@code INTERNAL}; the staged file is deleted however the push ends.
 */
public final class PushReceiver implements StreamObserver<PushCheckpointRequest> {

    /** Verifies and installs a received archive; the receiver closes the archive afterwards. */
    @FunctionalInterface
    public interface Installer {
        PushCheckpointResponse install(ReceivedArchive archive) throws IOException;
    }

    private static final Logger LOG = Logger.getLogger(PushReceiver.class.getName());

    private final ArchiveAssembly assembly;
    private final Executor installs;
    private final Installer installer;
    private final StreamObserver<PushCheckpointResponse> response;
    private boolean failed;

    public PushReceiver(ArchiveAssembly assembly, Executor installs, Installer installer,
                        StreamObserver<PushCheckpointResponse> response) {
        this.assembly = assembly;
        this.installs = installs;
        this.installer = installer;
        this.response = response;
    }

    @Override
    public void onNext(PushCheckpointRequest request) {
        if (failed) {
            return;
        }
        try {
            if (request.hasHeader()) {
                assembly.header(request.getHeader());
            } else {
                assembly.chunk(request.getChunk());
            }
        } catch (TransferProtocolException e) {
            fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
        } catch (IOException e) {
            fail(Status.INTERNAL.withDescription("cannot stage the checkpoint: " + e.getMessage()));
        }
    }

    @Override
    public void onError(Throwable t) {
        // The sender went away mid-stream (a truncated push): nothing was installed.
        LOG.warning("checkpoint push aborted by the sender: " + t.getMessage());
        discard();
    }

    @Override
    public void onCompleted() {
        if (failed) {
            return;
        }
        installs.execute(() -> {
            try (ReceivedArchive archive = assembly.finish()) {
                PushCheckpointResponse answer = installer.install(archive);
                response.onNext(answer);
                response.onCompleted();
            } catch (TransferProtocolException e) {
                response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            } catch (CheckpointRejectedException e) {
                response.onError(Status.FAILED_PRECONDITION.withDescription(e.reason() + ": " + e.getMessage())
                        .asRuntimeException());
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.SEVERE, "checkpoint install failed", e);
                response.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage()))
                        .asRuntimeException());
            } finally {
                discard();
            }
        });
    }

    private void fail(Status status) {
        failed = true;
        discard();
        response.onError(status.asRuntimeException());
    }

    private void discard() {
        try {
            assembly.close();
        } catch (IOException e) {
            LOG.fine("cannot remove a partial checkpoint: " + e.getMessage());
        }
    }
}
