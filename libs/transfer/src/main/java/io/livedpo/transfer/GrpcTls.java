package io.livedpo.transfer;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Mutual TLS for every gRPC call between trainer and serving (ModelControl pushes, CheckpointStore fetches), declared
 * once for both services: {@code livedpo.grpc.tls.enabled}, {@code .cert}, {@code .key}, {@code .trust} and the
 * optional {@code .server-name}, PEM files so a Kubernetes Secret can be mounted. Off (the default), servers and
 * channels are plaintext and the control token alone guards the calls. On, each pod presents its certificate both as
 * a server and as a client (it must allow server and client authentication, or name no extended key usage), servers
 * require a client certificate issued by the trust bundle ({@code ClientAuth.REQUIRE}), and clients verify the
 * server's certificate against the same bundle and the address they dial (or {@code server-name}); the control token
 * is still required on top. The key must be unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), which Netty reads
 * without BouncyCastle. Files are read when a server or channel is built; replace them and restart to rotate.
 */
public final class GrpcTls {

    public static final String PREFIX = "livedpo.grpc.tls.";
    /** Every setting, after the {@link #PREFIX}: what a deployment may set (the manifests tests check against it). */
    public static final java.util.List<String> SETTINGS = java.util.List.of("enabled", "cert", "key", "trust",
            "server-name");
    /** Plaintext: the control token alone. */
    public static final GrpcTls OFF = new GrpcTls(null, null, null, Optional.empty());

    private final Path cert;
    private final Path key;
    private final Path trust;
    private final Optional<String> serverName;

    private GrpcTls(Path cert, Path key, Path trust, Optional<String> serverName) {
        this.cert = cert;
        this.key = key;
        this.trust = trust;
        this.serverName = serverName;
    }

    /**
     * From configuration ({@code name -> value}, names with the {@link #PREFIX}): off unless {@code enabled} is true,
     * and then every file must be there, readable and PEM of the right kind, or start-up fails naming the setting and
     * the file.
     */
    public static GrpcTls from(Function<String, Optional<String>> config) {
        boolean enabled = config.apply(PREFIX + "enabled").map(v -> Boolean.parseBoolean(v.trim())).orElse(false);
        if (!enabled) {
            return OFF;
        }
        return of(file(config, "cert"), file(config, "key"), file(config, "trust"),
                config.apply(PREFIX + "server-name").map(String::trim).filter(s -> !s.isEmpty()));
    }

    /** On, with these files; checked now. */
    public static GrpcTls of(Path cert, Path key, Path trust, Optional<String> serverName) {
        certificates(PREFIX + "cert", cert);
        privateKey(PREFIX + "key", key);
        certificates(PREFIX + "trust", trust);
        return new GrpcTls(cert, key, trust, serverName);
    }

    public boolean enabled() {
        return cert != null;
    }

    /** A server's credentials: TLS requiring a client certificate from the trust bundle, or plaintext when off. */
    public ServerCredentials serverCredentials() {
        if (!enabled()) {
            return InsecureServerCredentials.create();
        }
        try {
            return TlsServerCredentials.newBuilder().keyManager(cert.toFile(), key.toFile())
                    .trustManager(trust.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the gRPC TLS files " + this, e);
        }
    }

    /** A client's credentials: TLS with this pod's certificate, trusting only the bundle, or plaintext when off. */
    public ChannelCredentials channelCredentials() {
        if (!enabled()) {
            return InsecureChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder().keyManager(cert.toFile(), key.toFile())
                    .trustManager(trust.toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the gRPC TLS files " + this, e);
        }
    }

    /**
     * A channel to {@code target} ({@code host:port}) with these credentials; with {@code server-name} set, the
     * server's certificate is verified against that name instead of the host dialled (pushes to pod IPs found by
     * DNS, whose certificate names the service).
     */
    public ManagedChannelBuilder<?> channel(String target) {
        ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target, channelCredentials());
        serverName.ifPresent(builder::overrideAuthority);
        return builder;
    }

    /** The files, never their contents. */
    @Override
    public String toString() {
        return enabled() ? "mTLS(cert=" + cert + ", key=" + key + ", trust=" + trust
                + serverName.map(n -> ", server-name=" + n).orElse("") + ")" : "plaintext";
    }

    private static Path file(Function<String, Optional<String>> config, String name) {
        String setting = PREFIX + name;
        String value = config.apply(setting).map(String::trim).filter(s -> !s.isEmpty())
                .orElseThrow(() -> new IllegalStateException(PREFIX + "enabled is true but " + setting + " ("
                        + env(setting) + ") is not set: name a PEM file"));
        return Path.of(value);
    }

    private static void readable(String setting, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalStateException(setting + " (" + env(setting) + ") names " + file
                    + ", which is not a readable file");
        }
    }

    private static void certificates(String setting, Path file) {
        readable(setting, file);
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new IllegalStateException(setting + ": " + file + " holds no PEM certificate");
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException(setting + ": " + file + " is not a PEM certificate file: "
                    + e.getClass().getSimpleName());
        }
    }

    /** Checks the key's PEM type without ever putting any of the file's text into a message. */
    private static void privateKey(String setting, Path file) {
        readable(setting, file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(setting + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + ")");
        }
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalStateException(setting + ": " + file + " is not an unencrypted PKCS#8 PEM key "
                    + "(-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt");
        }
    }

    private static String env(String setting) {
        return setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
