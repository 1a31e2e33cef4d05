package io.livedpo.policy.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Packs documents into fixed-length training windows, GPT-2 style: every epoch shuffles the documents (seeded), lays
 * them end to end (each already ends with EOS, which marks the boundary the model learns to respect) and cuts the
 * stream into consecutive windows of T + 1 tokens that overlap by one, so every token is a target exactly once. The
 * tail of one epoch runs on into the next. No padding, so no compute is spent on it. Same documents, T and seed give
 * the same batches.
 */
public final class TokenStream {

    private final List<long[]> documents;
    private final int length;
    private final Random order;
    private final List<Integer> epoch = new ArrayList<>();
    private long[] buffer = new long[0];
    private int position; // first unread token of buffer
    private int end; // tokens in buffer
    private long epochs;

    /**
     * @param documents token ids, each ending with EOS; not empty
     * @param length    T, input tokens per window
     * @param seed      order of the documents in each epoch
     */
    public TokenStream(List<long[]> documents, int length, long seed) {
        if (length < 1) {
            throw new IllegalArgumentException("window length must be >= 1, got " + length);
        }
        if (documents.stream().mapToLong(d -> d.length).sum() == 0) {
            throw new IllegalArgumentException("no tokens to train on");
        }
        this.documents = List.copyOf(documents);
        this.length = length;
        this.order = new Random(seed);
    }

    /** The next {@code rows} windows, each T inputs and their T next tokens. */
    public PackedBatch next(int rows) {
        long[] inputs = new long[rows * length];
        long[] targets = new long[rows * length];
        for (int r = 0; r < rows; r++) {
            fill(length + 1);
            System.arraycopy(buffer, position, inputs, r * length, length);
            System.arraycopy(buffer, position + 1, targets, r * length, length);
            position += length; // the last target is the next window's first input
        }
        return new PackedBatch(inputs, targets, rows, length);
    }

    /** Epochs begun so far (a document order was drawn for each). */
    public long epochs() {
        return epochs;
    }

    /** Ensures buffer holds at least {@code needed} unread tokens. */
    private void fill(int needed) {
        while (end - position < needed) {
            if (epoch.isEmpty()) {
                for (int i = 0; i < documents.size(); i++) {
                    epoch.add(i);
                }
                Collections.shuffle(epoch, order);
                epochs++;
            }
            long[] doc = documents.get(epoch.remove(epoch.size() - 1));
            int unread = end - position;
            if (buffer.length < unread + doc.length) {
                buffer = Arrays.copyOf(buffer, Math.max(2 * buffer.length, unread + doc.length));
            }
            System.arraycopy(buffer, position, buffer, 0, unread); // slide the unread tail to the front
            System.arraycopy(doc, 0, buffer, unread, doc.length);
            position = 0;
            end = unread + doc.length;
        }
    }
}
