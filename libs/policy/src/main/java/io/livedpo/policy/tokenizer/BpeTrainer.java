package io.livedpo.policy.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Trains a GPT-2-style byte-level BPE: the corpus is split into pre-tokens with GPT-2's regex, each distinct pre-token
 * becomes a sequence of byte symbols weighted by its frequency, and the most frequent adjacent pair is merged into a
 * new symbol until the vocabulary has the asked size. Merges never cross pre-token boundaries, as the tokenizer that
 * applies them never does either.
 * <p>
 * Pair counts are updated incrementally: a merge touches only the words that contain the pair (an index from pair to
 * words says which), and a max-heap with lazy re-insertion picks the next pair, so a merge costs about the number of
 * occurrences it rewrites rather than a recount of the corpus. Ties go to the pair with the smaller (left, right) ids,
 * which makes the result a function of the corpus alone.
 */
public final class BpeTrainer {


    /** One distinct pre-token: its current symbols and how often it occurs in the corpus. */
    private static final class Word {
        int[] symbols;
        final long count;

        Word(int[] symbols, long count) {
            this.symbols = symbols;
            this.count = count;
        }
    }

    /** A heap entry; {@code count} may be stale (an upper bound) and is checked when the entry is polled. */
    private record Candidate(long count, int left, int right) {
    }

    private final List<Word> words = new ArrayList<>();
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, Set<Integer>> pairWords = new HashMap<>();
    private final PriorityQueue<Candidate> heap = new PriorityQueue<>((x, y) -> x.count != y.count
            ? Long.compare(y.count, x.count)
            : x.left != y.left ? Integer.compare(x.left, y.left) : Integer.compare(x.right, y.right));
    private final List<String> tokens = new ArrayList<>();
    private final Map<String, Integer> tokenIds = new HashMap<>();
    private final List<String> merges = new ArrayList<>();

    private BpeTrainer() {
    }

    /**
     * Learns merges from {@code texts} until the vocabulary, {@code <|endoftext|>} included, has {@code vocabSize}
     * tokens, or until no pair occurs any more (then it is smaller). Occurrences of {@code <|endoftext|>} in the texts
     * are treated as document boundaries, never learnt from.
     *
     * @param vocabSize at least 257: the 256 byte symbols and the end-of-text token
     */
    public static BpeVocabulary train(List<String> texts, int vocabSize) {
        return train(texts, vocabSize, List.of());
    }

    /**
     * As {@link #train(List, int)}, with added special tokens (a chat template's {@code <|im_start|>}) after
     * {@code <|endoftext|>}: they count towards {@code vocabSize}, and the texts are cut at them as at
     * {@code <|endoftext|>}, so no merge learns their spelling (the tokenizer matches them whole).
     */
    public static BpeVocabulary train(List<String> texts, int vocabSize, List<String> specials) {
        if (vocabSize < 257 + specials.size()) {
            throw new IllegalArgumentException("vocab size must be >= " + (257 + specials.size())
                    + " (256 bytes + <|endoftext|> + " + specials.size() + " special tokens), got " + vocabSize);
        }
        BpeTrainer trainer = new BpeTrainer();
        List<String> cuts = new ArrayList<>(specials);
        cuts.add(BpeVocabulary.EOS);
        trainer.countWords(texts, Pattern.compile(String.join("|", cuts.stream().map(Pattern::quote).toList())));
        trainer.merge(vocabSize - 1 - specials.size());
        List<String> vocab = new ArrayList<>(trainer.tokens);
        vocab.add(BpeVocabulary.EOS);
        return new BpeVocabulary(vocab, trainer.merges, specials);
    }

    private void countWords(List<String> texts, Pattern cuts) {
        Map<String, Long> counts = new HashMap<>();
        for (String text : texts) {
            for (String document : cuts.split(text)) {
                for (String preToken : ByteLevel.preTokenize(document)) {
                    counts.merge(preToken, 1L, Long::sum);
                }
            }
        }
        for (int id = 0; id < 256; id++) {
            tokens.add(ByteLevel.symbol(id));
            tokenIds.put(tokens.get(id), id);
        }
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            int index = words.size();
            Word w = new Word(ByteLevel.byteIds(e.getKey()), e.getValue());
            words.add(w);
            for (int i = 0; i + 1 < w.symbols.length; i++) {
                long key = key(w.symbols[i], w.symbols[i + 1]);
                pairCounts.merge(key, w.count, Long::sum);
                pairWords.computeIfAbsent(key, k -> new HashSet<>()).add(index);
            }
        }
        pairCounts.forEach((key, count) -> heap.add(new Candidate(count, left(key), right(key))));
    }

    private void merge(int symbolTarget) {
        while (tokens.size() < symbolTarget && !heap.isEmpty()) {
            Candidate top = heap.poll();
            long key = key(top.left, top.right);
            long current = pairCounts.getOrDefault(key, 0L);
            if (current != top.count) {
                // Counts only fall between pushes (a rise pushes a fresh entry), so the stale entry was an upper
                // bound: put it back with its true count and look again.
                if (current > 0) {
                    heap.add(new Candidate(current, top.left, top.right));
                }
                continue;
            }
            String merged = tokens.get(top.left) + tokens.get(top.right);
            // Two merge paths can spell the same string ("a bc", "ab c"); like HF, they share one id.
            int newId = tokenIds.computeIfAbsent(merged, s -> {
                tokens.add(s);
                return tokens.size() - 1;
            });
            merges.add(tokens.get(top.left) + " " + tokens.get(top.right));
            apply(top.left, top.right, newId);
        }
    }

    /** Rewrites every word holding (left, right) and moves the pair counts of those words to their new symbols. */
    private void apply(int left, int right, int newId) {
        Map<Long, Long> delta = new HashMap<>();
        for (int index : pairWords.remove(key(left, right))) {
            Word w = words.get(index);
            int[] old = w.symbols;
            int[] out = new int[old.length];
            int n = 0;
            for (int i = 0; i < old.length; i++) {
                if (i + 1 < old.length && old[i] == left && old[i + 1] == right) {
                    out[n++] = newId;
                    i++;
                } else {
                    out[n++] = old[i];
                }
            }
            if (n == old.length) {
                continue; // the index is not pruned when a pair leaves a word: such a word no longer has it
            }
            for (int i = 0; i + 1 < old.length; i++) {
                delta.merge(key(old[i], old[i + 1]), -w.count, Long::sum);
            }
            w.symbols = Arrays.copyOf(out, n);
            for (int i = 0; i + 1 < n; i++) {
                long k = key(w.symbols[i], w.symbols[i + 1]);
                delta.merge(k, w.count, Long::sum);
                pairWords.computeIfAbsent(k, x -> new HashSet<>()).add(index);
            }
        }
        for (Map.Entry<Long, Long> e : delta.entrySet()) {
            long k = e.getKey();
            long updated = pairCounts.getOrDefault(k, 0L) + e.getValue();
            if (updated <= 0) {
                pairCounts.remove(k);
                pairWords.remove(k);
            } else {
                pairCounts.put(k, updated);
                if (e.getValue() > 0) {
                    heap.add(new Candidate(updated, left(k), right(k)));
                }
            }
        }
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | right;
    }

    private static int left(long key) {
        return (int) (key >>> 32);
    }

    private static int right(long key) {
        return (int) key;
    }
}
