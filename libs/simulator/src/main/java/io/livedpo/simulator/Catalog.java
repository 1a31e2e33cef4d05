package io.livedpo.simulator;

import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/** The fixed lists of questions the domain draws from. Small on purpose: a ~1M-parameter model must learn them. */
final class Catalog {

    private Catalog() {
    }

    static final List<YesNoTask> YES_NO = List.of(
            new YesNoTask("the sun", "hot", true),
            new YesNoTask("ice", "cold", true),
            new YesNoTask("ice", "hot", false),
            new YesNoTask("the sea", "salty", true),
            new YesNoTask("snow", "white", true),
            new YesNoTask("grass", "green", true),
            new YesNoTask("grass", "blue", false),
            new YesNoTask("a stone", "soft", false),
            new YesNoTask("a mouse", "bigger than a horse", false),
            new YesNoTask("fire", "cold", false),
            new YesNoTask("sugar", "sweet", true),
            new YesNoTask("a lemon", "sweet", false));

    static final List<HowToTask> HOW_TO = List.of(
            new HowToTask("boil an egg", List.of(
                    "boil it in a pot for eight minutes.",
                    "put it in a pot of hot water for ten minutes."), Set.of("pot", "minutes")),
            new HowToTask("water a plant", List.of(
                    "pour a little water on the soil.",
                    "water the soil when it feels dry."), Set.of("soil", "pour", "dry")),
            new HowToTask("make tea", List.of(
                    "put a tea bag in hot water.",
                    "let the leaves steep in hot water."), Set.of("bag", "steep", "leaves")),
            new HowToTask("wash your hands", List.of(
                    "rub them with soap and warm water.",
                    "use soap, then rinse them with water."), Set.of("soap", "rub", "rinse")),
            new HowToTask("brush your teeth", List.of(
                    "use a little paste for two minutes.",
                    "clean every tooth gently with paste."), Set.of("paste", "gently", "minutes")),
            new HowToTask("plant a seed", List.of(
                    "push it into wet soil.",
                    "drop it in a small hole in the soil."), Set.of("soil", "hole", "wet")),
            new HowToTask("cook rice", List.of(
                    "boil it in a pot of water.",
                    "cook it in water until it is soft."), Set.of("pot", "soft", "boil")),
            new HowToTask("clean a window", List.of(
                    "wipe it with a wet cloth.",
                    "spray it with soapy water and wipe it."), Set.of("cloth", "wipe", "spray")));

    static final List<TopicTask> TOPICS = List.of(
            new TopicTask("cats", "Cats are", List.of(
                    "Cats are small animals that sleep and purr.",
                    "A cat likes to hunt mice."), Set.of("purr", "sleep", "hunt")),
            new TopicTask("dogs", "Dogs are", List.of(
                    "Dogs are loyal animals that like to play.",
                    "A dog can learn tricks and loves to walk."), Set.of("loyal", "tricks", "walk")),
            new TopicTask("bees", "Bees are", List.of(
                    "Bees make honey and help flowers grow.",
                    "A bee collects nectar from flowers."), Set.of("honey", "nectar", "flowers")),
            new TopicTask("apples", "Apples are", List.of(
                    "Apples are sweet fruit that grow on trees.",
                    "An apple is a good fruit to eat."), Set.of("fruit", "trees", "eat")),
            new TopicTask("the ocean", "The ocean is", List.of(
                    "The ocean is deep and full of salty water.",
                    "Many fish and whales live in the ocean."), Set.of("deep", "whales", "salty")),
            new TopicTask("bread", "Bread is", List.of(
                    "Bread is made from flour, water and yeast.",
                    "People bake bread in a hot oven."), Set.of("flour", "yeast", "bake", "oven")),
            new TopicTask("the moon", "The moon is", List.of(
                    "The moon goes around the earth.",
                    "You can see the moon in the sky at night."), Set.of("earth", "night", "sky")),
            new TopicTask("birds", "Birds are", List.of(
                    "Birds have feathers and most of them can fly.",
                    "A bird builds a nest and lays eggs."), Set.of("feathers", "nest", "eggs")));

    static Task sample(TaskFamily family, RandomGenerator rng) {
        return switch (family) {
            case ARITHMETIC -> ArithmeticTask.random(rng);
            case GREETING -> new GreetingTask(Text.pick(GreetingTask.NAMES, rng));
            case HOWTO -> Text.pick(HOW_TO, rng);
            case YESNO -> Text.pick(YES_NO, rng);
            case TOPIC -> Text.pick(TOPICS, rng);
        };
    }

    /** Every text any prompt or answer can contain; arithmetic and greetings share templates across instances. */
    static Stream<String> texts() {
        return Stream.of(
                        Stream.of(new ArithmeticTask(1, 1, false), new GreetingTask(GreetingTask.NAMES.get(0))),
                        YES_NO.stream(), HOW_TO.stream(), TOPICS.stream())
                .flatMap(s -> s)
                .flatMap(Task::texts);
    }
}
