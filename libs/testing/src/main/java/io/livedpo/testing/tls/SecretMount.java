package io.livedpo.testing.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;

/**
 * A Kubernetes TLS Secret as the kubelet mounts it: {@code tls.crt}, {@code tls.key} and {@code ca.crt} are links to
 * {@code ..data/<file>}, and {@code ..data} links to a directory holding one version of all three. An update writes
 * a new directory and swaps {@code ..data} to it with one rename, so a reader sees the old files or the new ones,
 * never a mix: what cert-manager's renewals look like to a pod.
 */
public final class SecretMount {

    private final Path dir;

    private SecretMount(Path dir) {
        this.dir = dir;
    }

    /** The mount at {@code dir} (made if missing); empty until the first {@link #write}. */
    public static SecretMount at(Path dir) {
        try {
            return new SecretMount(Files.createDirectories(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path certificate() {
        return dir.resolve("tls.crt");
    }

    public Path privateKey() {
        return dir.resolve("tls.key");
    }

    public Path trust() {
        return dir.resolve("ca.crt");
    }

    /** The issued certificate and its key, with this CA bundle, as one update. */
    public SecretMount write(TestPki.Issued issued, String trustPem) {
        return write(issued.certificatePem(), issued.privateKeyPem(), trustPem);
    }

    /** These three texts, whatever they hold (a test may write broken ones), as one update. */
    public SecretMount write(String certificatePem, String privateKeyPem, String trustPem) {
        try {
            Path version = Files.createDirectory(dir.resolve("..version_" + UUID.randomUUID()));
            Files.writeString(version.resolve("tls.crt"), certificatePem);
            Files.writeString(version.resolve("tls.key"), privateKeyPem);
            Files.writeString(version.resolve("ca.crt"), trustPem);
            Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), version.getFileName());
            Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            for (Path link : List.of(certificate(), privateKey(), trust())) {
                if (!Files.isSymbolicLink(link)) {
                    Files.createSymbolicLink(link, Path.of("..data").resolve(link.getFileName()));
                }
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The concatenation of these CAs' certificates: a trust bundle. */
    public static String bundle(TestPki.Authority... authorities) {
        StringBuilder pem = new StringBuilder();
        for (TestPki.Authority ca : authorities) {
            pem.append(ca.certificatePem());
        }
        return pem.toString();
    }
}
