package io.livedpo.transfer;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Mutual TLS for every gRPC call between trainer and serving (ModelControl pushes, CheckpointStore fetches), declared
 * once for both services: {@code livedpo.grpc.tls.enabled}, {@code .cert}, {@code .key}, {@code .trust}, the optional
 * {@code .server-name} and {@code .refresh-period}, PEM files so a Kubernetes Secret can be mounted. Off (the
 * default), servers and channels are plaintext and the control token alone guards the calls. On, each pod presents
 * its certificate both as a server and as a client (it must allow server and client authentication, or name no
 * extended key usage), servers require a client certificate issued by the trust bundle ({@code ClientAuth.REQUIRE}),
 * and clients verify the server's certificate against the same bundle and the address they dial (or
 * {@code server-name}); the control token is still required on top. The key must be unencrypted PKCS#8
 * ({@code BEGIN PRIVATE KEY}), and the key of the certificate.
 *
 * <p>Rotation needs no restart: servers and channels get their credentials from a {@link Lease}, whose key and trust
 * managers (grpc-java's {@code AdvancedTlsX509KeyManager} and {@code AdvancedTlsX509TrustManager}, which both the
 * shaded and the plain Netty transport take through {@code TlsServerCredentials}/{@code TlsChannelCredentials}) hold
 * the material in use. While any lease is open, one thread re-reads the three files every {@code refresh-period}
 * (cert-manager renews a Secret, the kubelet swaps the mounted {@code ..data} directory at once) and, when their bytes
 * changed, installs them for every handshake that follows; connections already open keep theirs. Files that do not
 * make a whole (half written, a key of another certificate, no certificate) are refused: the material in use stays,
 * one warning names the paths (never contents), and {@link #reloadFailures()} counts it; the next good files are
 * taken. Our own refresher rather than grpc-java's file-watching one: that one enforces a period of at least a
 * minute, reloads only when both files' modification times moved, and would take a key that is not the
 * certificate's.
 */
public final class GrpcTls {

    public static final String PREFIX = "livedpo.grpc.tls.";
    /** Every setting, after the {@link #PREFIX}: what a deployment may set (the manifests tests check against it). */
    public static final java.util.List<String> SETTINGS = java.util.List.of("enabled", "cert", "key", "trust",
            "server-name", "refresh-period");
    /**
     * How often the files are re-read when {@code refresh-period} is not set: well inside cert-manager's renewal
     * margin (it renews a third of the lifetime before expiry by default) and the kubelet's own Secret sync delay.
     */
    public static final Duration DEFAULT_REFRESH_PERIOD = Duration.ofMinutes(1);
    /** Reloads of the files, tagged {@code outcome} = {@code ok} or {@code failed} (files refused, old material kept). */
    public static final String RELOADS_METRIC = "livedpo.grpc.tls.reloads";
    /** When the certificate in use expires, seconds since the epoch: an alert can watch that renewals arrive. */
    public static final String EXPIRY_METRIC = "livedpo.grpc.tls.certificate.expiry";
    /** Plaintext: the control token alone. */
    public static final GrpcTls OFF = new GrpcTls(null, null, null, Optional.empty(), DEFAULT_REFRESH_PERIOD, null);

    private static final Logger LOG = Logger.getLogger(GrpcTls.class.getName());

    private final Path cert;
    private final Path key;
    private final Path trust;
    private final Optional<String> serverName;
    private final Duration refreshPeriod;
    private final AdvancedTlsX509KeyManager keys;
    private final AdvancedTlsX509TrustManager trusted;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();
    private volatile TlsMaterial material;
    /** The digest of files last refused, or the message of the last unreadable state: warned about once. */
    private String refused;
    /** Guarded by {@code this}: open leases, and the refresher while there are any. */
    private int leases;
    private ScheduledExecutorService refresher;

    private GrpcTls(Path cert, Path key, Path trust, Optional<String> serverName, Duration refreshPeriod,
                    TlsMaterial material) {
        this.cert = cert;
        this.key = key;
        this.trust = trust;
        this.serverName = serverName;
        this.refreshPeriod = refreshPeriod;
        if (material == null) {
            this.keys = null;
            this.trusted = null;
            return;
        }
        this.keys = new AdvancedTlsX509KeyManager();
        try {
            this.trusted = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS trust manager", e);
        }
        install(material);
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
        Duration period = config.apply(PREFIX + "refresh-period").map(String::trim).filter(s -> !s.isEmpty())
                .map(v -> period(PREFIX + "refresh-period", v)).orElse(DEFAULT_REFRESH_PERIOD);
        return of(file(config, "cert"), file(config, "key"), file(config, "trust"),
                config.apply(PREFIX + "server-name").map(String::trim).filter(s -> !s.isEmpty()), period);
    }

    /** On, with these files, re-read every {@link #DEFAULT_REFRESH_PERIOD}; checked now. */
    public static GrpcTls of(Path cert, Path key, Path trust, Optional<String> serverName) {
        return of(cert, key, trust, serverName, DEFAULT_REFRESH_PERIOD);
    }

    /** On, with these files, re-read every {@code refreshPeriod} while a lease is open; checked now. */
    public static GrpcTls of(Path cert, Path key, Path trust, Optional<String> serverName, Duration refreshPeriod) {
        if (refreshPeriod.isNegative() || refreshPeriod.isZero()) {
            throw new IllegalArgumentException(PREFIX + "refresh-period must be positive: " + refreshPeriod);
        }
        return new GrpcTls(cert, key, trust, serverName, refreshPeriod, TlsMaterial.read(cert, key, trust));
    }

    public boolean enabled() {
        return cert != null;
    }

    /**
     * Credentials for servers and channels, kept current while the lease is open: close it when the server or
     * channels it made are closed (the last lease closed stops the refresher). Plaintext, with nothing to close, when
     * off.
     */
    public Lease lease() {
        if (enabled()) {
            synchronized (this) {
                if (leases++ == 0) {
                    refresh();
                    refresher = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "livedpo-grpc-tls-refresh");
                        t.setDaemon(true);
                        return t;
                    });
                    long millis = refreshPeriod.toMillis();
                    refresher.scheduleWithFixedDelay(this::refresh, millis, millis, TimeUnit.MILLISECONDS);
                }
            }
        }
        return new Lease();
    }

    /** How often the files are re-read while a lease is open. */
    public Duration refreshPeriod() {
        return refreshPeriod;
    }

    /** Changed files taken into use since start-up. */
    public long reloads() {
        return reloads.get();
    }

    /** Changed files refused since start-up (the material in use was kept). */
    public long reloadFailures() {
        return reloadFailures.get();
    }

    /** The certificate presented now (the chain's first); empty when off. */
    public Optional<X509Certificate> certificate() {
        TlsMaterial m = material;
        return m == null ? Optional.empty() : Optional.of(m.chain()[0]);
    }

    /**
     * Re-reads the files now and takes them if they changed and make a whole; otherwise keeps what is in use and, once
     * per refused state, warns and counts. The refresher calls this every period; it never throws.
     */
    synchronized void refresh() {
        try {
            TlsMaterial.Files3 files;
            try {
                files = TlsMaterial.bytes(cert, key, trust);
            } catch (IllegalStateException e) {
                refuse(e.getMessage(), e.getMessage());
                return;
            }
            if (material.sameFiles(files.digest())) {
                refused = null;
                return;
            }
            String state = HexFormat.of().formatHex(files.digest());
            if (state.equals(refused)) {
                return;
            }
            TlsMaterial next;
            try {
                next = TlsMaterial.parse(cert, key, trust, files);
                install(next);
            } catch (IllegalStateException e) {
                refuse(state, e.getMessage());
                return;
            }
            refused = null;
            reloads.incrementAndGet();
            LOG.info("gRPC TLS reloaded " + this + ": " + next.describe());
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: the refresher must survive anything.
            reloadFailures.incrementAndGet();
            LOG.warning("gRPC TLS reload of " + this + " failed (" + e.getClass().getSimpleName()
                    + "); keeping the material in use");
        }
    }

    private void refuse(String state, String why) {
        if (state.equals(refused)) {
            return;
        }
        refused = state;
        reloadFailures.incrementAndGet();
        // The reason names the setting and the path, never the files' contents.
        LOG.warning("gRPC TLS files changed but cannot be used, keeping " + material.describe() + ": " + why
                + "; the next good files will be taken");
    }

    /** Trust first: if the bundle cannot be taken, nothing changed. */
    private void install(TlsMaterial next) {
        try {
            trusted.updateTrustCredentials(next.trust());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(PREFIX + "trust: " + trust + " cannot be used as a trust bundle ("
                    + e.getClass().getSimpleName() + ")");
        }
        keys.updateIdentityCredentials(next.chain(), next.key());
        material = next;
    }

    private synchronized void release() {
        if (--leases == 0) {
            refresher.shutdownNow();
            refresher = null;
        }
    }

    /**
     * A server's or channels' hold on the credentials: while any is open the files are re-read every period. Closing
     * it does not touch connections already made; closing it twice does nothing.
     */
    public final class Lease implements AutoCloseable {

        private final AtomicBoolean open = new AtomicBoolean(true);

        private Lease() {
        }

        /** TLS requiring a client certificate from the trust bundle, or plaintext when off. */
        public ServerCredentials serverCredentials() {
            if (!enabled()) {
                return InsecureServerCredentials.create();
            }
            return TlsServerCredentials.newBuilder().keyManager(keys).trustManager(trusted)
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
        }

        /** TLS with this pod's certificate, trusting only the bundle, or plaintext when off. */
        public ChannelCredentials channelCredentials() {
            if (!enabled()) {
                return InsecureChannelCredentials.create();
            }
            return TlsChannelCredentials.newBuilder().keyManager(keys).trustManager(trusted).build();
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

        @Override
        public void close() {
            if (open.compareAndSet(true, false) && enabled()) {
                release();
            }
        }
    }

    /** The files, never their contents. */
    @Override
    public String toString() {
        return enabled() ? "mTLS(cert=" + cert + ", key=" + key + ", trust=" + trust
                + serverName.map(n -> ", server-name=" + n).orElse("") + ", refresh-period=" + refreshPeriod + ")"
                : "plaintext";
    }

    private static Path file(Function<String, Optional<String>> config, String name) {
        String setting = PREFIX + name;
        String value = config.apply(setting).map(String::trim).filter(s -> !s.isEmpty())
                .orElseThrow(() -> new IllegalStateException(PREFIX + "enabled is true but " + setting + " ("
                        + env(setting) + ") is not set: name a PEM file"));
        return Path.of(value);
    }

    /** A duration as Quarkus writes them: {@code 30s}, {@code 5m}, {@code 500ms}, {@code 1h}, ISO-8601, or seconds. */
    static Duration period(String setting, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (v.startsWith("p")) {
                d = Duration.parse(value.toUpperCase(Locale.ROOT));
            } else if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(v));
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException(setting + " (" + env(setting) + ") = " + value
                    + " is not a duration (30s, 5m, 500ms, PT1M)");
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalStateException(setting + " (" + env(setting) + ") = " + value + " must be positive");
        }
        return d;
    }

    static String env(String setting) {
        return setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
