package io.livedpo.policy.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenStreamTest {

    private static final long EOS = 99;
    private static final List<long[]> DOCS = List.of(new long[] {1, 2, 3, EOS}, new long[] {10, 11, EOS},
            new long[] {20, 21, 22, 23, 24, EOS}, new long[] {30, EOS});

    @Test
    void windowsAreContiguousAndTargetsAreTheNextTokens() {
        TokenStream stream = new TokenStream(DOCS, 5, 7L);
        PackedBatch b = stream.next(3);
        assertEquals(3, b.rows());
        assertEquals(15, b.tokens());
        long[] flat = new long[16]; // the stream these windows were cut from
        System.arraycopy(b.inputs(), 0, flat, 0, 15);
        flat[15] = b.targets()[14];
        for (int i = 0; i < 15; i++) {
            assertEquals(flat[i + 1], b.targets()[i], "target " + i + " is the next input");
        }
        // One epoch is the four documents back to back, each whole and in some order.
        List<Long> epoch = new ArrayList<>();
        Arrays.stream(flat, 0, 15).forEach(epoch::add);
        Set<List<Long>> docs = new HashSet<>();
        int start = 0;
        for (int i = 0; i < epoch.size(); i++) {
            if (epoch.get(i) == EOS) {
                docs.add(epoch.subList(start, i + 1));
                start = i + 1;
            }
        }
        Set<List<Long>> expected = new HashSet<>();
        DOCS.forEach(d -> expected.add(Arrays.stream(d).boxed().toList()));
        assertEquals(expected, docs);
        assertEquals(2, stream.epochs(), "16 tokens needed from 15-token epochs");
    }

    @Test
    void sameSeedSameBatchesOtherSeedOtherOrder() {
        TokenStream a = new TokenStream(DOCS, 4, 1L);
        TokenStream b = new TokenStream(DOCS, 4, 1L);
        boolean differs = false;
        for (int i = 0; i < 10; i++) {
            PackedBatch x = a.next(2);
            PackedBatch y = b.next(2);
            assertArrayEquals(x.inputs(), y.inputs());
            assertArrayEquals(x.targets(), y.targets());
        }
        TokenStream c = new TokenStream(DOCS, 4, 1L);
        TokenStream d = new TokenStream(DOCS, 4, 2L);
        for (int i = 0; i < 10; i++) {
            differs |= !Arrays.equals(c.next(2).inputs(), d.next(2).inputs());
        }
        assertFalse(!differs, "seeds 1 and 2 gave the same order for 10 batches");
    }

    @Test
    void aWindowLongerThanTheCorpusWrapsAcrossEpochs() {
        PackedBatch b = new TokenStream(List.of(new long[] {5, EOS}), 7, 0L).next(1);
        assertArrayEquals(new long[] {5, EOS, 5, EOS, 5, EOS, 5}, b.inputs());
        assertArrayEquals(new long[] {EOS, 5, EOS, 5, EOS, 5, EOS}, b.targets());
    }

    @Test
    void rejectsAnEmptyCorpus() {
        assertThrows(IllegalArgumentException.class, () -> new TokenStream(List.of(), 4, 0L));
        assertThrows(IllegalArgumentException.class, () -> new TokenStream(List.of(new long[0]), 4, 0L));
        assertThrows(IllegalArgumentException.class, () -> new TokenStream(DOCS, 0, 0L));
    }
}
