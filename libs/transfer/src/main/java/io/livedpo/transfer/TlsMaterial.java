package io.livedpo.transfer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * One reading of the three {@code livedpo.grpc.tls} files, parsed and checked together: the certificate chain, its
 * private key (unencrypted PKCS#8, and the key of the chain's first certificate), and the trust bundle. Start-up and
 * every reload go through {@link #read}, so a file that would stop start-up is also the one a reload refuses. Every
 * message names the setting and the path, never a byte of a file (a key must never reach a log).
 */
record TlsMaterial(X509Certificate[] chain, PrivateKey key, X509Certificate[] trust, byte[] digest) {

    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The files' bytes as read now, and a digest of them: a reload compares digests to skip what it has seen. */
    record Files3(byte[] cert, byte[] key, byte[] trust, byte[] digest) {
    }

    /** Reads the three files as they are now; unreadable ones fail naming the setting and the path. */
    static Files3 bytes(Path cert, Path key, Path trust) {
        byte[] c = readable(GrpcTls.PREFIX + "cert", cert);
        byte[] k = readable(GrpcTls.PREFIX + "key", key);
        byte[] t = readable(GrpcTls.PREFIX + "trust", trust);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : List.of(c, k, t)) {
                sha.update(Integer.toString(part.length).getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) 0);
                sha.update(part);
            }
            return new Files3(c, k, t, sha.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /** Parses and checks what {@link #bytes} read; fails naming the setting and the path. */
    static TlsMaterial parse(Path cert, Path key, Path trust, Files3 files) {
        X509Certificate[] chain = certificates(GrpcTls.PREFIX + "cert", cert, files.cert());
        PrivateKey privateKey = privateKey(GrpcTls.PREFIX + "key", key, files.key(), chain[0].getPublicKey());
        matches(privateKey, chain[0].getPublicKey(), key, cert);
        X509Certificate[] bundle = certificates(GrpcTls.PREFIX + "trust", trust, files.trust());
        return new TlsMaterial(chain, privateKey, bundle, files.digest());
    }

    /** Reads, parses and checks the files as they are now. */
    static TlsMaterial read(Path cert, Path key, Path trust) {
        return parse(cert, key, trust, bytes(cert, key, trust));
    }

    boolean sameFiles(byte[] otherDigest) {
        return otherDigest != null && MessageDigest.isEqual(digest, otherDigest);
    }

    /** Who this certificate is and until when: public facts, for the log. */
    String describe() {
        X509Certificate leaf = chain[0];
        return "certificate " + leaf.getSubjectX500Principal().getName() + " serial "
                + leaf.getSerialNumber().toString(16) + " valid until " + leaf.getNotAfter().toInstant()
                + ", trusting " + trust.length + " CA certificate(s)";
    }

    private static byte[] readable(String setting, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalStateException(setting + " (" + GrpcTls.env(setting) + ") names " + file
                    + ", which is not a readable file");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(setting + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    private static X509Certificate[] certificates(String setting, Path file, byte[] bytes) {
        try {
            X509Certificate[] certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
            if (certs.length == 0) {
                throw new IllegalStateException(setting + ": " + file + " holds no PEM certificate");
            }
            return certs;
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalStateException(setting + ": " + file + " is not a PEM certificate file: "
                    + e.getClass().getSimpleName());
        }
    }

    /** Decodes the key without ever putting any of the file's text into a message. */
    private static PrivateKey privateKey(String setting, Path file, byte[] bytes, PublicKey certified) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0) {
            throw new IllegalStateException(setting + ": " + file + " is not an unencrypted PKCS#8 PEM key "
                    + "(" + KEY_BEGIN + "); convert it with: openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der;
        try {
            if (end < begin) {
                throw new IllegalArgumentException("no end line");
            }
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(setting + ": " + file + " is a truncated or damaged PEM key");
        }
        try {
            // The certificate says which algorithm its key is; a key of another algorithm cannot be its key anyway.
            return KeyFactory.getInstance(certified.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(setting + ": " + file + " is not a " + certified.getAlgorithm()
                    + " PKCS#8 key as the certificate's is (" + e.getClass().getSimpleName() + ")");
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** A key and certificate written at different moments (one renewal's key, the other's certificate) fail here. */
    private static void matches(PrivateKey key, PublicKey certified, Path keyFile, Path certFile) {
        String algorithm = switch (certified.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "ED25519", "ED448", "EDDSA" -> certified.getAlgorithm();
            default -> throw new IllegalStateException(GrpcTls.PREFIX + "cert: " + certFile + " has a "
                    + certified.getAlgorithm() + " key; RSA, EC or EdDSA are supported");
        };
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // falls through: a key that cannot sign for this certificate does not belong to it
        }
        throw new IllegalStateException(GrpcTls.PREFIX + "key: " + keyFile + " is not the key of the certificate in "
                + certFile);
    }
}
