package io.livedpo.events;

/**
 * Which live-canary experiment a response belongs to, on {@link ResponseEvent#canary()}: the answer came from one of
 * the two versions serving randomly shared the policy's traffic between. Absent for a response that was not routed
 * at random (no canary running, or the request pinned its version).
 *
 * @param candidate the version on trial
 * @param parent    the version it is compared with, serving the rest of the traffic
 */
public record CanaryArm(long candidate, long parent) {

    /** The key of the experiment, {@code policy@candidate}, as {@link Topics#CANARY_DECISIONS} keys its verdict. */
    public static String key(String policy, long candidate) {
        return policy + "@" + candidate;
    }
}
