package org.rationalnn.dl4j.samediff;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.rationalnn.dl4j.common.SequenceRows;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The SameDiff graph of a {@link RationalDense} configuration: y = R(x W + b) for the SAMEDIFF execution, and the
 * affine part z = x W + b alone for the FUSED one (whose runtime applies R with the fused kernel). Rank-2 input is
 * used as it is; rank-3 input (the layer's RNN format) goes through rows [mb·T, nIn] ({@link SequenceRows}). Reads
 * the configuration when it is called, so it always sees the layer's current sizes.
 */
final class RationalDenseGraph {

    private final RationalDense layer;

    /**
     * The graph of this layer.
     *
     * @param layer the configuration whose sizes, spec, bias and RNN format the graph uses
     */
    RationalDenseGraph(RationalDense layer) {
        this.layer = layer;
    }

    /**
     * y = R(x W + b), with version D's noise on the numerator when given.
     *
     * @param sd             the graph to add the layer to
     * @param input          [mb, nIn] (rank 2) or the layer's RNN format (rank 3)
     * @param rank           rank of {@code input}, 2 or 3
     * @param params         variables for every parameter key of the layer
     * @param numeratorNoise noise [S, m+1] multiplying the numerator, or null for none
     * @return y, [mb, nOut] or the RNN layout with nOut channels
     * @throws IllegalArgumentException if {@code rank} is not 2 or 3, or the spec or sharing is invalid
     */
    SDVariable define(SameDiff sd, SDVariable input, int rank, Map<String, SDVariable> params,
                      SDVariable numeratorNoise) {
        SDVariable numerator = numeratorNoise == null ? params.get(RationalDense.NUMERATOR_KEY)
                : RationalSameDiff.noisyNumerator(params.get(RationalDense.NUMERATOR_KEY), numeratorNoise);
        SDVariable denominator = params.get(RationalDense.DENOMINATOR_KEY);
        return perStep(sd, input, rank, flat -> RationalSameDiff.apply(sd, affine(flat, params), numerator,
                denominator, layer.getSpec(), layer.getNOut(), 2, true));
    }

    /**
     * z = x W + b in the layout of the layer's output.
     *
     * @param sd     the graph to add the affine map to
     * @param input  [mb, nIn] (rank 2) or the layer's RNN format (rank 3)
     * @param rank   rank of {@code input}, 2 or 3
     * @param params variables for W and (with a bias) b
     * @return z, [mb, nOut] or the RNN layout with nOut channels
     * @throws IllegalArgumentException if {@code rank} is not 2 or 3
     */
    SDVariable defineAffine(SameDiff sd, SDVariable input, int rank, Map<String, SDVariable> params) {
        return perStep(sd, input, rank, flat -> affine(flat, params));
    }

    /**
     * Applies {@code f} (rows [N, nIn] → [N, nOut]) to every time step: directly for rank 2; for rank 3 through
     * steps-last [mb, T, nIn] → rows [mb·T, nIn] → f → [mb, T, nOut] in the layer's RNN format.
     */
    private SDVariable perStep(SameDiff sd, SDVariable input, int rank, UnaryOperator<SDVariable> f) {
        if (rank == 2) {
            return f.apply(input);
        }
        if (rank != 3) {
            throw new IllegalArgumentException(layer.where() + "input must have rank 2 ([mb, nIn]) or 3 (RNN "
                    + layer.getRnnDataFormat() + "), got rank " + rank);
        }
        SDVariable x = SequenceRows.stepsLast(sd, input, layer.getRnnDataFormat());
        SDVariable y = f.apply(SequenceRows.rows(sd, x, layer.getNIn()));
        SDVariable y3 = SequenceRows.steps(sd, y, sd.shape(x), layer.getNOut());
        return SequenceRows.inFormat(sd, y3, layer.getRnnDataFormat());
    }

    /** x W + b for x [N, nIn]; a broadcast product when nIn = 1 (rank-2 mmul of [1,1] operands fails in M2.1). */
    private SDVariable affine(SDVariable x, Map<String, SDVariable> params) {
        SDVariable w = params.get(RationalDense.WEIGHT_KEY);
        SDVariable z = layer.getNIn() == 1 ? x.mul(w) : x.mmul(w);
        return layer.isHasBias() ? z.add(params.get(RationalDense.BIAS_KEY)) : z;
    }
}
