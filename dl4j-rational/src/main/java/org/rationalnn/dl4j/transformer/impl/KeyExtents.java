package org.rationalnn.dl4j.transformer.impl;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where an attention mask M [E, 1, T, T] (E = 1 or mb; M[e, 0, i, j] ≠ 0 iff query i sees key j) leaves work to
 * do: for every query row, the end of its visible keys, and for every key column, the first query that sees it.
 * Under a causal mask a row sees only keys up to itself, so about half of every T×T product of the attention is
 * multiplied by weights that are exactly zero; {@link VectorAttention} skips those parts.
 *
 * <p>{@code end(e, i)} = 1 + the last j with M[e, 0, i, j] ≠ 0, and T for a row with no visible key (such a row is
 * computed in full, as without a mask: its softmax is not zero anywhere). {@code first(e, j)} = the smallest query i
 * with end(e, i) &gt; j, T if none; it never decreases with j. Weights, their gradients and score gradients at (i, j)
 * with j ≥ end(e, i) are exactly zero in both attention kinds (softmax's exp of the 1e9 penalty underflows to 0;
 * rational attention multiplies by M), so a product over keys may stop at end(e, i), and a product over queries for
 * key j may start at first(e, j) (rows in between whose end is ≤ j contribute their exact zeros).
 */
final class KeyExtents {

    private final int t;
    private final int examples;
    private final int[] end;
    private final int[] first;

    private KeyExtents(int t, int examples, int[] end, int[] first) {
        this.t = t;
        this.examples = examples;
        this.end = end;
        this.first = first;
    }

    /** Extents of a mask [E, 1, T, T] (any data type; read once). */
    static KeyExtents of(INDArray mask) {
        if (mask.rank() != 4 || mask.size(1) != 1 || mask.size(2) != mask.size(3)) {
            throw new IllegalArgumentException("attention mask must have shape [E, 1, T, T], got "
                    + java.util.Arrays.toString(mask.shape()));
        }
        int e = Math.toIntExact(mask.size(0));
        int t = Math.toIntExact(mask.size(2));
        float[] m = mask.dup('c').data().asFloat();
        int[] end = new int[e * t];
        int[] first = new int[e * t];
        for (int x = 0; x < e; x++) {
            for (int i = 0; i < t; i++) {
                int base = (x * t + i) * t;
                int last = t - 1;
                while (last >= 0 && m[base + last] == 0f) {
                    last--;
                }
                end[x * t + i] = last < 0 ? t : last + 1;
            }
            // first(j) = min{i : end(i) > j}: non-decreasing in j, filled in one pass over the rows
            int filled = 0;
            for (int i = 0; i < t && filled < t; i++) {
                while (filled < end[x * t + i]) {
                    first[x * t + filled++] = i;
                }
            }
            while (filled < t) {
                first[x * t + filled++] = t;
            }
        }
        return new KeyExtents(t, e, end, first);
    }

    /** Copies the row ends of example {@code example} (taken modulo E = 1) into {@code dst} [T]. */
    void ends(long example, int[] dst) {
        System.arraycopy(end, offset(example), dst, 0, t);
    }

    /** Copies the column starts of example {@code example} (taken modulo E = 1) into {@code dst} [T]. */
    void firsts(long example, int[] dst) {
        System.arraycopy(first, offset(example), dst, 0, t);
    }

    /** The row end of query i of example {@code example} (taken modulo E = 1). */
    int end(long example, int i) {
        return end[offset(example) + i];
    }

    /**
     * The row end of row {@code row} of a [mb·h, T, T] array (row = (example·h + head)·T + query), or T without
     * extents.
     */
    static int endOfRow(KeyExtents extents, long row, int t, int heads) {
        return extents == null ? t : extents.end(row / t / heads, (int) (row % t));
    }

    int length() {
        return t;
    }

    private int offset(long example) {
        return examples == 1 ? 0 : Math.toIntExact(example) * t;
    }
}
