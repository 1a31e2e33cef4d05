package io.livedpo.events;

/** A thumbs vote on one response. */
public enum Rating {
    UP,
    DOWN;

    public Rating opposite() {
        return this == UP ? DOWN : UP;
    }
}
