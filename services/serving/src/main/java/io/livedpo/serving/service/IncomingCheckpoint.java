package io.livedpo.serving.service;

/**
 * What the sender claims about a checkpoint archive, checked against the bytes that arrive.
 *
 * @param sha256    hex SHA-256 of the archive
 * @param signature HMAC-SHA256 of the archive with the shared key; empty when none was sent
 */
public record IncomingCheckpoint(String policy, long version, long parentVersion, String baseModel, String sha256,
                                 long sizeBytes, byte[] signature, boolean activate) {
}
