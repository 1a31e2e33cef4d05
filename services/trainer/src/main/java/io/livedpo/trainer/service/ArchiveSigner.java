package io.livedpo.trainer.service;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 over an archive with the control-plane key: proves to serving that the trainer made it. */
public final class ArchiveSigner {

    private final Optional<String> key;

    public ArchiveSigner(Optional<String> key) {
        this.key = key;
    }

    /** The signature, or no bytes when signing is off. */
    public byte[] sign(byte[] archive) {
        if (key.isEmpty()) {
            return new byte[0];
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.get().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(archive);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
