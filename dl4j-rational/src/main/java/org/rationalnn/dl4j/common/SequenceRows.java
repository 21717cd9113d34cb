package org.rationalnn.dl4j.common;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reshuffles a SameDiff layer applied per time step needs, written once for {@code RationalDense} and the
 * transformer block: recurrent input in either layout to steps-last [mb, T, c] and rows [mb·T, c], and back. Batch and
 * time sizes stay dynamic (read from the graph at run time). Rank-3 matrix products are broken in SameDiff 1.0.0-M2.1,
 * hence the rows.
 */
public final class SequenceRows {

    private SequenceRows() {
    }

    /**
     * Recurrent input in the steps-last layout.
     *
     * @param sd     the graph
     * @param input  [mb, c, T] (NCW) or [mb, T, c] (NWC)
     * @param format the input's layout
     * @return [mb, T, c] (a permutation for NCW, {@code input} itself for NWC)
     */
    public static SDVariable stepsLast(SameDiff sd, SDVariable input, RNNFormat format) {
        return format == RNNFormat.NCW ? sd.permute(input, 0, 2, 1) : input;
    }

    /**
     * The inverse of {@link #stepsLast}: steps-last values in the given layout.
     *
     * @param sd     the graph
     * @param steps  [mb, T, c]
     * @param format the wanted layout
     * @return [mb, c, T] (NCW) or {@code steps} itself (NWC)
     */
    public static SDVariable inFormat(SameDiff sd, SDVariable steps, RNNFormat format) {
        return format == RNNFormat.NCW ? sd.permute(steps, 0, 2, 1) : steps;
    }

    /**
     * Steps-last values as rows, one per (example, time step).
     *
     * @param sd    the graph
     * @param steps [mb, T, width]
     * @param width the channel count c
     * @return [mb·T, width]
     */
    public static SDVariable rows(SameDiff sd, SDVariable steps, long width) {
        return sd.reshape(steps, -1, width);
    }

    /**
     * Rows back in the steps-last layout of the input they came from, with another channel count.
     *
     * @param sd         the graph
     * @param rows       [mb·T, width]
     * @param stepsShape the shape [mb, T, c] of the steps-last input (a variable, dynamic mb and T)
     * @param width      the channel count of {@code rows}
     * @return [mb, T, width]
     */
    public static SDVariable steps(SameDiff sd, SDVariable rows, SDVariable stepsShape, long width) {
        SDVariable shape = stepsShape.mul(sd.constant(Nd4j.createFromArray(1L, 1L, 0L).castTo(stepsShape.dataType())))
                .add(sd.constant(Nd4j.createFromArray(0L, 0L, width).castTo(stepsShape.dataType())));
        return sd.reshape(rows, shape);
    }
}
