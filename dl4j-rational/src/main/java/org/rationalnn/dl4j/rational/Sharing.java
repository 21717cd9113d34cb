package org.rationalnn.dl4j.rational;

/**
 * How coefficient sets are shared across the channels of a layer's input. The channel axis is axis 1
 * for feed-forward [mb, c], recurrent NCW [mb, c, T] and convolutional NCHW [mb, c, h, w] inputs, and
 * the last axis for NWC and NHWC.
 */
public enum Sharing {
    /** One coefficient set for the whole layer (S = 1). */
    LAYER,
    /** One coefficient set per channel (S = channels). */
    CHANNEL,
    /**
     * Channels split into g contiguous groups of c/g channels, one coefficient set per group (S = g),
     * as in the Kolmogorov-Arnold Transformer (arXiv:2409.10594). Channel i uses set i / (c/g).
     */
    GROUP;

    /**
     * Number of coefficient sets S for a layer with {@code channels} channels.
     *
     * @param channels channel count of the input (size of the channel axis)
     * @param groups group count g, used by GROUP only
     * @return 1 for LAYER, {@code channels} for CHANNEL, {@code groups} for GROUP
     * @throws IllegalArgumentException if CHANNEL's channel count is not in [1, Integer.MAX_VALUE], or if GROUP's
     *                                  group count does not divide the (positive) channel count
     */
    public int numSets(long channels, int groups) {
        switch (this) {
            case LAYER:
                return 1;
            case CHANNEL:
                if (channels < 1 || channels > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("channel count must be in [1, " + Integer.MAX_VALUE
                            + "] for CHANNEL sharing, got " + channels);
                }
                return (int) channels;
            default:
                if (channels < 1 || channels % groups != 0) {
                    throw new IllegalArgumentException("GROUP sharing needs the channel count to be a positive "
                            + "multiple of the group count " + groups + ", got " + channels + " channels");
                }
                return groups;
        }
    }

    /**
     * Coefficient set used by channel {@code c} of {@code channels}. Not validated (called per element by the
     * kernels): the arguments must come from a successful {@link #numSets(long, int)}.
     *
     * @param c channel index in [0, channels)
     * @param channels channel count
     * @param numSets the set count S returned by {@link #numSets(long, int)} for this channel count
     * @return the set index in [0, numSets): 0 for LAYER, c for CHANNEL, c / (channels / S) for GROUP
     */
    public int setOf(long c, long channels, int numSets) {
        switch (this) {
            case LAYER:
                return 0;
            case CHANNEL:
                return (int) c;
            default:
                return (int) (c / (channels / numSets));
        }
    }
}
