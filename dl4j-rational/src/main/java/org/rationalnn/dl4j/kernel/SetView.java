package org.rationalnn.dl4j.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.rational.Sharing;

/**
 * Reshapes an activation array into the kernels' canonical view {@code [outer, S, inner]}, in which
 * element {@code [o, s, i]} uses coefficient set {@code s}.
 *
 * <p>The channel axis is axis 1 for channels-first inputs (feed-forward [mb, c], NCW [mb, c, T],
 * NCHW [mb, c, h, w]) and the last axis for channels-last inputs (NWC, NHWC). Channels-first becomes
 * {@code [mb, c, rest]}, channels-last {@code [rest, c, 1]}; then CHANNEL keeps c sets, GROUP merges
 * each group of c/g contiguous channels with the inner axis ({@code [outer, g, (c/g)·inner]}), and LAYER
 * flattens everything into {@code [1, 1, N]}. These are pure reshapes of a C-ordered contiguous array,
 * so the view shares memory with the array.
 */
public final class SetView {

    private SetView() {
    }

    /**
     * The channel count of {@code array}.
     *
     * @param array an activation array of rank ≥ 2
     * @param channelsLast whether the channel axis is the last one (NWC, NHWC)
     * @return the size of the channel axis (axis 1, or the last axis when {@code channelsLast})
     */
    public static long channels(INDArray array, boolean channelsLast) {
        return channelsLast ? array.size(array.rank() - 1) : array.size(1);
    }

    /**
     * The canonical view of a C-ordered, contiguous array (use {@link #contiguous(INDArray)} first).
     *
     * @param array the activation array, rank 2, 3 or 4
     * @param channelsLast whether the channel axis is the last one (NWC, NHWC)
     * @param sharing the sharing mode
     * @param numSets S: 1 for LAYER, c for CHANNEL, g for GROUP (from {@link Sharing#numSets(long, int)})
     * @return a reshaped view {@code [outer, S, inner]} sharing memory with {@code array}
     * @throws IllegalArgumentException if the array has rank below 2
     */
    public static INDArray of(INDArray array, boolean channelsLast, Sharing sharing, int numSets) {
        if (array.rank() < 2) {
            throw new IllegalArgumentException("rational activation input must have rank 2, 3 or 4, got rank "
                    + array.rank() + " with shape " + java.util.Arrays.toString(array.shape()));
        }
        long total = array.length();
        if (sharing == Sharing.LAYER) {
            return array.reshape('c', 1, 1, total);
        }
        long c = channels(array, channelsLast);
        long outer;
        long inner;
        if (channelsLast) {
            outer = total / c;
            inner = 1;
        } else {
            outer = array.size(0);
            inner = total / (outer * c);
        }
        long perSet = c / numSets;
        return array.reshape('c', outer, numSets, perSet * inner);
    }

    /**
     * A C-ordered contiguous form of an array, copying only when needed.
     *
     * @param array any array
     * @return the array itself if it is C-ordered and contiguous with no offset tricks, else a C-ordered copy
     */
    public static INDArray contiguous(INDArray array) {
        if (array.ordering() == 'c' && !array.isView() && array.length() == array.data().length()) {
            return array;
        }
        if (array.ordering() == 'c' && isCContiguous(array)) {
            return array;
        }
        return array.dup('c');
    }

    private static boolean isCContiguous(INDArray a) {
        long expected = 1;
        long[] shape = a.shape();
        long[] stride = a.stride();
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }
}
