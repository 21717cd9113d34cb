package org.rationalnn.dl4j.layers.impl;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.common.NumeratorNoise;
import org.rationalnn.dl4j.kernel.RationalKernels;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.layers.RationalParamInitializer;
import org.rationalnn.dl4j.rational.RationalSpec;

import java.util.Arrays;

/**
 * Runtime of {@link RationalActivationLayer}: moves arrays between DL4J's workspaces and parameter views and
 * calls the active {@link org.rationalnn.dl4j.kernel.RationalKernel}. Not for direct use.
 */
public class RationalActivationLayerImpl extends BaseLayer<RationalActivationLayer> {

    /** Version D's numerator noise (created on first use; shared implementation with the SameDiff runtimes). */
    private transient NumeratorNoise noise;

    /**
     * A runtime for this layer configuration; called by {@link RationalActivationLayer#instantiate}, which then sets
     * the listeners, index, parameter views and configuration.
     *
     * @param conf     the network's configuration of this layer (its layer is a {@link RationalActivationLayer})
     * @param dataType the network's data type
     */
    public RationalActivationLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * DL4J's layer type.
     *
     * @return {@code FEED_FORWARD} (the layer is element-wise whatever the input rank)
     */
    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    /**
     * Not a pretraining layer.
     *
     * @return false
     */
    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    /**
     * R(input) element-wise, after the layer's input dropout (if any, in training). In training, version D draws
     * fresh numerator noise, kept for the following backward pass.
     *
     * @param training     whether this is a training pass
     * @param workspaceMgr DL4J's workspace manager; the output is an {@code ACTIVATIONS} array
     * @return a new array with the input's shape and data type
     * @throws IllegalArgumentException if the input's rank is not 2, 3 or 4 or its channel count differs from nIn
     */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        boolean channelsLast = checkInput(input);
        RationalSpec spec = layerConf().getSpec();
        INDArray numerator = getParam(RationalParamInitializer.NUMERATOR_KEY);
        NumeratorNoise n = noise(numerator);
        INDArray numeratorNoise = null;
        if (n.enabled()) {
            n.clear();
            numeratorNoise = training ? n.forForward(true) : null;
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        RationalKernels.forward(spec, input, channelsLast, numerator, numeratorNoise,
                getParam(RationalParamInitializer.DENOMINATOR_KEY), out);
        return out;
    }

    /**
     * The gradients of the last forward pass's input: writes dL/d(numerator) [S, m+1] and dL/d(denominator) into the
     * layer's gradient views and returns dL/d(input), with the noise of the last training pass for version D.
     *
     * @param epsilon      dL/d(output), the input's shape
     * @param workspaceMgr DL4J's workspace manager; dL/d(input) is an {@code ACTIVATION_GRAD} array
     * @return the coefficient gradients (the views) and dL/d(input), the input's shape, with the dropout mask applied
     * @throws IllegalArgumentException if {@code epsilon}'s shape differs from the input's, or the input is invalid
     */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        boolean channelsLast = checkInput(input);
        if (!Arrays.equals(epsilon.shape(), input.shape())) {
            throw new IllegalArgumentException("layer '" + layerConf().getLayerName() + "': epsilon shape "
                    + Arrays.toString(epsilon.shape()) + " must equal input shape " + Arrays.toString(input.shape()));
        }
        RationalSpec spec = layerConf().getSpec();
        INDArray gNum = gradientViews.get(RationalParamInitializer.NUMERATOR_KEY);
        INDArray gDen = gradientViews.get(RationalParamInitializer.DENOMINATOR_KEY);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        INDArray numerator = getParam(RationalParamInitializer.NUMERATOR_KEY);
        RationalKernels.backward(spec, input, channelsLast, numerator, noise(numerator).lastTrainingNoise(), getParam(RationalParamInitializer.DENOMINATOR_KEY), epsilon, dx, gNum, gDen);
        dx = backpropDropOutIfPresent(dx);
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(RationalParamInitializer.NUMERATOR_KEY, gNum);
        gradient.setGradientFor(RationalParamInitializer.DENOMINATOR_KEY, gDen);
        return new Pair<>(gradient, dx);
    }

    /**
     * Validates rank and channel count; returns whether the channel axis is the last one.
     */
    private boolean checkInput(INDArray in) {
        RationalActivationLayer conf = layerConf();
        int rank = in.rank();
        boolean channelsLast;
        switch (rank) {
            case 2:
                channelsLast = false;
                break;
            case 3:
                channelsLast = conf.getRnnDataFormat() == RNNFormat.NWC;
                break;
            case 4:
                channelsLast = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC;
                break;
            default:
                throw new IllegalArgumentException("layer '" + conf.getLayerName() + "': input must have rank 2 "
                        + "([mb, c]), 3 (RNN " + conf.getRnnDataFormat() + ") or 4 (CNN " + conf.getCnn2dDataFormat()
                        + "), got rank " + rank + " with shape " + Arrays.toString(in.shape()));
        }
        long channels = channelsLast ? in.size(rank - 1) : in.size(1);
        long nIn = conf.getNIn();
        if (nIn > 0 && channels != nIn) {
            throw new IllegalArgumentException("layer '" + conf.getLayerName() + "': input has " + channels
                    + " channels on axis " + (channelsLast ? rank - 1 : 1) + " but the layer was configured with nIn = "
                    + nIn + " (input shape " + Arrays.toString(in.shape()) + ")");
        }
        return channelsLast;
    }

    /** The layer's noise holder, created on first use for S = the numerator's row count. */
    private NumeratorNoise noise(INDArray numerator) {
        if (noise == null) {
            noise = new NumeratorNoise(layerConf().getSpec(), (int) numerator.size(0), numerator.dataType());
        }
        return noise;
    }

    /** Forgets version D's noise of the last training pass. */
    @Override
    public void clearNoiseWeightParams() {
        if (noise != null) {
            noise.clear();
        }
    }

    /** Clears the input and other per-pass state (DL4J's {@code clear}) and version D's noise. */
    @Override
    public void clear() {
        super.clear();
        clearNoiseWeightParams();
    }
}
