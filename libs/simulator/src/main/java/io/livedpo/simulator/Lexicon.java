package io.livedpo.simulator;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The words the domain uses, so the judge can tell language from garble. Numbers always count as known. */
final class Lexicon {

    private static final Set<String> WORDS = Stream.concat(Catalog.texts(), Phrases.texts())
            .map(t -> t.replaceAll("\\{\\w+}", " "))
            .flatMap(t -> Text.words(t).stream())
            .collect(Collectors.toUnmodifiableSet());

    private Lexicon() {
    }

    static boolean isKnown(String word) {
        return WORDS.contains(word) || word.chars().allMatch(Character::isDigit);
    }
}
