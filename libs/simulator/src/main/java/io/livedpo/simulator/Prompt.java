package io.livedpo.simulator;

import java.util.Objects;

/**
 * One user message and the facts needed to judge answers to it ({@link #task()}): the expected number, the user's
 * name, the yes/no truth, or the keywords of a how-to or topic.
 */
public record Prompt(String id, String userText, Task task) {

    public Prompt {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(userText, "userText");
        Objects.requireNonNull(task, "task");
    }

    public TaskFamily family() {
        return task.family();
    }
}
