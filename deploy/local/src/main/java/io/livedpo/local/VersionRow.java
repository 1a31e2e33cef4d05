package io.livedpo.local;

/**
 * One point of the learning curve: a model version and how its answers fared.
 *
 * @param pairsTrained  preference pairs the version was trained on (0 for the base model)
 * @param votes         thumbs votes on answers this version served
 * @param thumbsUpRate  up / votes; NaN without votes
 * @param kl            the trainer's KL(policy‖reference) estimate; NaN when unknown (and for the base, 0)
 * @param feedbackToServingSeconds from the newest feedback behind the version to its first answer seen by a user;
 *                      NaN when unknown
 */
public record VersionRow(long version, long pairsTrained, long votes, double thumbsUpRate, double kl,
                         double feedbackToServingSeconds) {
}
