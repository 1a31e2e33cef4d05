package io.livedpo.testing.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A certificate authority made in the test, with the JDK alone: EC P-256 keys, X.509 v3 certificates DER-encoded here
 * (the project has no BouncyCastle, and grpc-java's testing certificates are not on the class path) and signed with
 * SHA256withECDSA. Leaf certificates carry the SANs a TLS client verifies the server by (DNS names, IP addresses) and
 * both extended key usages (server and client authentication), as one certificate per service does in a deployment.
 * Files are PEM: the certificate, and the private key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}).
 */
public final class TestPki {

    private static final String EC_SHA256 = "1.2.840.10045.4.3.2";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestPki() {
    }

    /** A certificate and its private key, both PEM. */
    public record Issued(X509Certificate certificate, String certificatePem, String privateKeyPem) {

        /** Writes {@code <name>.crt} and {@code <name>.key} into {@code dir}. */
        public PemFiles write(Path dir, String name) {
            try {
                Path cert = java.nio.file.Files.writeString(dir.resolve(name + ".crt"), certificatePem);
                Path key = java.nio.file.Files.writeString(dir.resolve(name + ".key"), privateKeyPem);
                return new PemFiles(cert, key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Where {@link Issued#write} put the two files. */
    public record PemFiles(Path certificate, Path privateKey) {
    }

    /** A self-signed CA that issues leaf certificates. */
    public static final class Authority {
        private final String name;
        private final KeyPair keys;
        private final Issued self;

        private Authority(String name) {
            this.name = name;
            this.keys = ecKeys();
            this.self = sign(name, name, keys, keys, List.of(
                    extension("2.5.29.19", true, seq(bool(true))),                   // basicConstraints: CA
                    extension("2.5.29.15", true, bitString(new byte[] {0x06}, 1))),   // keyCertSign, cRLSign
                    Duration.ofDays(2));
        }

        /** The CA certificate, PEM: the trust bundle peers verify against. */
        public String certificatePem() {
            return self.certificatePem();
        }

        /** Writes the CA certificate as {@code <file>} into {@code dir}. */
        public Path writeCertificate(Path dir, String file) {
            try {
                return java.nio.file.Files.writeString(dir.resolve(file), self.certificatePem());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * A leaf certificate for {@code commonName}, valid now, with {@code sans}: each an IP address literal (an
         * iPAddress SAN) or else a DNS name.
         */
        public Issued issue(String commonName, String... sans) {
            List<byte[]> names = new ArrayList<>();
            for (String san : sans) {
                if (san.matches("[0-9.]+") || san.contains(":")) {
                    names.add(tlv(0x87, address(san)));                         // [7] iPAddress
                } else {
                    names.add(tlv(0x82, san.getBytes(StandardCharsets.US_ASCII))); // [2] dNSName
                }
            }
            List<byte[]> extensions = new ArrayList<>(List.of(
                    extension("2.5.29.19", true, seq()),                                    // not a CA
                    extension("2.5.29.15", true, bitString(new byte[] {(byte) 0x80}, 7)),   // digitalSignature
                    extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2")))));
            if (!names.isEmpty()) {
                extensions.add(extension("2.5.29.17", false, seq(names.toArray(byte[][]::new))));
            }
            return sign(commonName, name, ecKeys(), keys, extensions, Duration.ofDays(1));
        }
    }

    /** A new self-signed certificate authority named {@code commonName}. */
    public static Authority authority(String commonName) {
        return new Authority(commonName);
    }

    private static Issued sign(String subject, String issuer, KeyPair subjectKeys, KeyPair issuerKeys,
                               List<byte[]> extensions, Duration validity) {
        try {
            byte[] algorithm = seq(oid(EC_SHA256));
            Instant now = Instant.now();
            byte[] tbs = seq(
                    tlv(0xA0, integer(BigInteger.TWO)),                                  // [0] version v3
                    integer(new BigInteger(64, RANDOM).add(BigInteger.ONE)),
                    algorithm,
                    name(issuer),
                    seq(utcTime(now.minus(Duration.ofHours(1))), utcTime(now.plus(validity))),
                    name(subject),
                    subjectKeys.getPublic().getEncoded(),                                // SubjectPublicKeyInfo
                    tlv(0xA3, seq(extensions.toArray(byte[][]::new))));                  // [3] extensions
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(issuerKeys.getPrivate());
            signer.update(tbs);
            byte[] der = seq(tbs, algorithm, bitString(signer.sign(), 0));
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            cert.verify(issuerKeys.getPublic());
            return new Issued(cert, pem("CERTIFICATE", der), pem("PRIVATE KEY",
                    subjectKeys.getPrivate().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a test certificate for " + subject, e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    // --- DER, just what a certificate needs ---

    private static byte[] name(String commonName) {
        return seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] extension(String id, boolean critical, byte[] value) {
        return critical ? seq(oid(id), bool(true), tlv(0x04, value)) : seq(oid(id), tlv(0x04, value));
    }

    private static byte[] utcTime(Instant t) {
        String s = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t);
        return tlv(0x17, s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] bool(boolean value) {
        return tlv(0x01, new byte[] {(byte) (value ? 0xFF : 0)});
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    private static byte[] bitString(byte[] bits, int unusedBits) {
        byte[] content = new byte[bits.length + 1];
        content[0] = (byte) unusedBits;
        System.arraycopy(bits, 0, content, 1, bits.length);
        return tlv(0x03, content);
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                out.write((int) ((arc >>> (7 * g)) & 0x7F) | (g > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] seq(byte[]... parts) {
        return tlv(0x30, parts);
    }

    private static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        int n = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }
}
