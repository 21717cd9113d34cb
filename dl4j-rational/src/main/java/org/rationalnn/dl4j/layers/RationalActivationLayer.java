package org.rationalnn.dl4j.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.rationalnn.dl4j.layers.impl.RationalActivationLayerImpl;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trainable rational activation layer, R(x) = P(x)/Q(x) applied element-wise with learned coefficients
 * (Padé Activation Units, arXiv:1907.06732; rational networks, arXiv:2004.01902; expressivity,
 * arXiv:2602.12390). Works in {@code MultiLayerNetwork} and {@code ComputationGraph}.
 *
 * <p><b>Shapes.</b> Input and output have the same shape and type: feed-forward [mb, c], recurrent
 * NCW [mb, c, T] or NWC [mb, T, c], convolutional NCHW [mb, c, h, w] or NHWC [mb, h, w, c]. The formats come
 * from {@code setInputType(...)} or from {@link Builder#dataFormat(RNNFormat)} /
 * {@link Builder#dataFormat(CNN2DFormat)} (defaults NCW and NCHW). Masks pass through unchanged.
 *
 * <p><b>Parameters.</b> {@code numerator} [S, m+1] and {@code denominator} [S, n], S = 1 (LAYER sharing),
 * c (CHANNEL) or g (GROUP), each set initialised from the {@link RationalSpec}'s fit. CHANNEL and GROUP
 * sharing need the channel count c: from the input type, or {@link Builder#nIn(long)}.
 *
 * <p><b>Training recipe</b> (arXiv:2602.12390, PAU): the network's global l1/l2/weight decay do not apply to
 * the coefficients; regularization set on this layer's own builder ({@code .l2(...)}, {@code .weightDecay(...)},
 * {@link Builder#coefficientRegularization(Regularization...)}) does. The layer's own {@code .updater(...)}
 * gives the coefficients a learning rate different from the rest of the network (the paper uses half). Version
 * D multiplies the numerator coefficients by fresh U[1-s, 1+s] noise on each training forward pass and uses the
 * clean coefficients at inference.
 *
 * <p>Defaults: the default {@link RationalSpec} ((5,4), version B, LeakyReLU init, LAYER sharing).
 */
public class RationalActivationLayer extends BaseLayer {
    private static final long serialVersionUID = 1L;

    private RationalSpec spec = RationalSpec.defaults();
    private long nIn;
    private RNNFormat rnnDataFormat = RNNFormat.NCW;
    private CNN2DFormat cnn2dDataFormat = CNN2DFormat.NCHW;
    private List<Regularization> coefficientRegularization = new ArrayList<>();

    /** For JSON deserialization only; use {@link Builder}. */
    public RationalActivationLayer() {
    }

    private RationalActivationLayer(Builder b) {
        super(b);
        this.spec = b.spec;
        this.nIn = b.nIn;
        this.rnnDataFormat = b.rnnDataFormat;
        this.cnn2dDataFormat = b.cnn2dDataFormat;
        List<Regularization> regs = new ArrayList<>();
        if (b.getRegularization() != null) {
            regs.addAll(b.getRegularization());
        }
        regs.addAll(b.extraRegularization);
        this.coefficientRegularization = regs;
        initializeConstraints(b);
        validate();
    }

    /**
     * Checks the configuration (called by the builder and when the layer is instantiated, since JSON
     * deserialization bypasses the builder).
     *
     * @throws IllegalArgumentException naming the offending value and the accepted range
     */
    public void validate() {
        if (spec == null) {
            throw new IllegalArgumentException("layer '" + layerName + "': spec must not be null");
        }
        spec.validate();
        if (nIn < 0) {
            throw new IllegalArgumentException("layer '" + layerName + "': nIn must be in [0, " + Long.MAX_VALUE
                    + "] (0 = from the input type), got " + nIn);
        }
        if (nIn > 0) {
            spec.numSets(nIn);
        }
    }

    /** Number of coefficient sets S for the configured channel count. */
    public int numSets() {
        if (spec.getSharing() == Sharing.LAYER) {
            return 1;
        }
        if (nIn <= 0) {
            throw new IllegalStateException("layer '" + layerName + "': " + spec.getSharing() + " sharing needs the "
                    + "channel count; set it with .nIn(channels) or give the network an input type "
                    + "(setInputType / setInputTypes)");
        }
        return spec.numSets(nIn);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        validate();
        RationalActivationLayerImpl ret = new RationalActivationLayerImpl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public ParamInitializer initializer() {
        return RationalParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return checkInputType(inputType);
    }

    private InputType checkInputType(InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException("layer '" + layerName + "': input type must not be null");
        }
        switch (inputType.getType()) {
            case FF:
            case RNN:
            case CNN:
            case CNNFlat:
                return inputType;
            default:
                throw new IllegalArgumentException("layer '" + layerName + "': input type must be one of [FF, RNN, "
                        + "CNN, CNNFlat], got " + inputType.getType() + " (" + inputType + ")");
        }
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        checkInputType(inputType);
        long channels;
        switch (inputType.getType()) {
            case RNN:
                InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
                channels = r.getSize();
                rnnDataFormat = r.getFormat();
                break;
            case CNN:
                InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
                channels = c.getChannels();
                cnn2dDataFormat = c.getFormat();
                break;
            case CNNFlat:
                channels = ((InputType.InputTypeConvolutionalFlat) inputType).getFlattenedSize();
                break;
            default:
                channels = ((InputType.InputTypeFeedForward) inputType).getSize();
        }
        if (nIn <= 0 || override) {
            nIn = channels;
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    /** Only the regularization set on this layer's builder; the network's global l1/l2/weight decay are ignored. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return coefficientRegularization == null ? Collections.emptyList() : coefficientRegularization;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        int updaterStateSize = (int) getIUpdater().stateSize(numParams);
        return new LayerMemoryReport.Builder(layerName, RationalActivationLayer.class, inputType, outputType)
                .standardMemory(numParams, updaterStateSize)
                .workingMemory(0, 0, MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS).build();
    }

    @Override
    public RationalActivationLayer clone() {
        RationalActivationLayer c = (RationalActivationLayer) super.clone();
        c.coefficientRegularization = coefficientRegularization == null ? new ArrayList<>()
                : new ArrayList<>(coefficientRegularization);
        return c;
    }

    public RationalSpec getSpec() {
        return spec;
    }

    public void setSpec(RationalSpec spec) {
        this.spec = spec;
    }

    /** Channel count c (0 until known). */
    public long getNIn() {
        return nIn;
    }

    public void setNIn(long nIn) {
        this.nIn = nIn;
    }

    public RNNFormat getRnnDataFormat() {
        return rnnDataFormat;
    }

    public void setRnnDataFormat(RNNFormat rnnDataFormat) {
        this.rnnDataFormat = rnnDataFormat;
    }

    public CNN2DFormat getCnn2dDataFormat() {
        return cnn2dDataFormat;
    }

    public void setCnn2dDataFormat(CNN2DFormat cnn2dDataFormat) {
        this.cnn2dDataFormat = cnn2dDataFormat;
    }

    /** Regularization applied to the coefficients (only what was set on this layer). */
    public List<Regularization> getCoefficientRegularization() {
        return coefficientRegularization;
    }

    public void setCoefficientRegularization(List<Regularization> coefficientRegularization) {
        this.coefficientRegularization = coefficientRegularization;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RationalActivationLayer) || !super.equals(o)) {
            return false;
        }
        RationalActivationLayer l = (RationalActivationLayer) o;
        return nIn == l.nIn && Objects.equals(spec, l.spec) && rnnDataFormat == l.rnnDataFormat
                && cnn2dDataFormat == l.cnn2dDataFormat
                && Objects.equals(coefficientRegularization, l.coefficientRegularization);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), spec, nIn, rnnDataFormat, cnn2dDataFormat, coefficientRegularization);
    }

    @Override
    public String toString() {
        return "RationalActivationLayer(name=" + layerName + ", spec=" + spec + ", nIn=" + nIn + ", rnnFormat="
                + rnnDataFormat + ", cnnFormat=" + cnn2dDataFormat + ", coefficientRegularization="
                + coefficientRegularization + ")";
    }

    /** Builder for {@link RationalActivationLayer}. */
    public static class Builder extends BaseLayer.Builder<Builder> {
        private RationalSpec spec = RationalSpec.defaults();
        private long nIn;
        private RNNFormat rnnDataFormat = RNNFormat.NCW;
        private CNN2DFormat cnn2dDataFormat = CNN2DFormat.NCHW;
        private final List<Regularization> extraRegularization = new ArrayList<>();

        public Builder() {
            // The activation of BaseLayer is meaningless here; identity keeps toString and JSON honest.
            this.activationFn = new ActivationIdentity();
        }

        /** The rational function: degrees, version, initialisation and sharing. */
        public Builder spec(RationalSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /** Channel count (needed for CHANNEL/GROUP sharing when no input type is given). */
        public Builder nIn(long channels) {
            this.nIn = channels;
            return this;
        }

        /** Layout of recurrent input (default NCW; set automatically from an RNN input type). */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Layout of convolutional input (default NCHW; set automatically from a CNN input type). */
        public Builder dataFormat(CNN2DFormat format) {
            this.cnn2dDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Regularization of the coefficients (in addition to {@code .l1/.l2/.weightDecay} on this builder). */
        public Builder coefficientRegularization(Regularization... regularization) {
            extraRegularization.addAll(Arrays.asList(regularization));
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public RationalActivationLayer build() {
            return new RationalActivationLayer(this);
        }
    }
}
