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

    public RationalActivationLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

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

    private NumeratorNoise noise(INDArray numerator) {
        if (noise == null) {
            noise = new NumeratorNoise(layerConf().getSpec(), (int) numerator.size(0), numerator.dataType());
        }
        return noise;
    }

    @Override
    public void clearNoiseWeightParams() {
        if (noise != null) {
            noise.clear();
        }
    }

    @Override
    public void clear() {
        super.clear();
        clearNoiseWeightParams();
    }
}
