package io.livedpo.testing.tls;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Intercepts a gRPC channel's calls to read the certificate the server presented in the TLS handshake, from the
 * client's session once the server's headers arrive: which certificate a server is serving right now.
 */
public final class PresentedCertificate implements ClientInterceptor {

    private final AtomicReference<SSLSession> session = new AtomicReference<>();

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ClientCall<Q, R> call = next.newCall(method, options);
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onHeaders(Metadata h) {
                        session.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                        super.onHeaders(h);
                    }
                }, headers);
            }
        };
    }

    /** The server's leaf certificate of the last call that got headers; fails if none did, or not over TLS. */
    public X509Certificate get() {
        SSLSession s = session.get();
        if (s == null) {
            throw new IllegalStateException("no call through this interceptor got the server's headers over TLS");
        }
        try {
            return (X509Certificate) s.getPeerCertificates()[0];
        } catch (SSLPeerUnverifiedException e) {
            throw new IllegalStateException("the server presented no certificate", e);
        }
    }
}
