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
     * @throws IllegalArgumentException if GROUP's group count does not divide the channels
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

    /** Coefficient set used by channel {@code c} of {@code channels}. */
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
