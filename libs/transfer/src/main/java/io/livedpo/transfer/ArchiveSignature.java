package io.livedpo.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over a checkpoint archive with the key trainer and serving share: unlike the header's sha256 it proves
 * who produced the archive. The trainer signs, serving verifies; without a key signing is off on both sides.
 */
public final class ArchiveSignature {

    private static final String ALGORITHM = "HmacSHA256";
    private static final int BUFFER = 1 << 16;

    private final Optional<SecretKeySpec> key;

    public ArchiveSignature(Optional<String> key) {
        this.key = key.map(k -> new SecretKeySpec(k.getBytes(StandardCharsets.UTF_8), ALGORITHM));
    }

    public boolean enabled() {
        return key.isPresent();
    }

    /** The signature, or no bytes when signing is off. */
    public byte[] sign(byte[] archive) {
        return key.map(k -> {
            Mac mac = mac(k);
            return mac.doFinal(archive);
        }).orElse(new byte[0]);
    }

    /** The signature of a file, read in blocks so a large archive never sits in memory; no bytes when off. */
    public byte[] sign(Path archive) throws IOException {
        if (key.isEmpty()) {
            return new byte[0];
        }
        Mac mac = mac(key.get());
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(archive)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                mac.update(buffer, 0, n);
            }
        }
        return mac.doFinal();
    }

    /** True when signing is off, or {@code signature} is this key's, compared in constant time. */
    public boolean verify(Path archive, byte[] signature) throws IOException {
        return key.isEmpty() || signature.length > 0 && MessageDigest.isEqual(sign(archive), signature);
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
