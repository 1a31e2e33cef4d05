package io.livedpo.feedback.service;

/**
 * Whom a request is counted against for rate limiting: the user it names, else the address it came from (anonymous
 * users). The prefixes keep a user id from ever colliding with an address.
 *
 * @param key   the rate limiter's bucket
 * @param named true when {@code key} is a user id
 */
public record ClientIdentity(String key, boolean named) {

    public static ClientIdentity of(Verdict verdict, String remoteAddress) {
        return verdict.userId() != null ? new ClientIdentity("user:" + verdict.userId(), true)
                : new ClientIdentity("addr:" + remoteAddress, false);
    }
}
