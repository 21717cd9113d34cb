package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.rationalnn.dl4j.common.CoefficientOptions;
import org.rationalnn.dl4j.common.LayerPlumbing;
import org.rationalnn.dl4j.common.RationalLayer;
import org.rationalnn.dl4j.common.RationalSlot;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.samediff.impl.RationalVertexImpl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code ComputationGraph} vertex, written in SameDiff, that applies a trainable rational activation
 * R(x) = P(x)/Q(x) element-wise to its single input; the SameDiff counterpart of
 * {@link org.rationalnn.dl4j.layers.RationalActivationLayer}, computing the same values and gradients with the same
 * parameters (Padé Activation Units, arXiv:1907.06732; arXiv:2602.12390).
 *
 * <p><b>Shapes.</b> Input and output have the same shape and type: feed-forward [mb, c], recurrent NCW [mb, c, T] or
 * NWC [mb, T, c], convolutional NCHW [mb, c, h, w] or NHWC [mb, h, w, c] (flattened CNN input is feed-forward). The
 * formats come from the graph's input types or from {@link Builder#dataFormat(RNNFormat)} /
 * {@link Builder#dataFormat(CNN2DFormat)} (defaults NCW and NCHW); batch, time and spatial sizes may change between
 * minibatches. Masks pass through unchanged.
 *
 * <p><b>Parameters.</b> {@value #NUMERATOR_KEY} [S, m+1] and {@value #DENOMINATOR_KEY} [S, n], S = 1 (LAYER
 * sharing), c (CHANNEL) or g (GROUP over contiguous channels), each set initialised from the {@link RationalSpec}.
 * CHANNEL and GROUP sharing need the channel count c: from the graph's input types, or {@link Builder#nIn(long)}.
 * In a graph they appear as {@code <vertexName>_numerator} and {@code <vertexName>_denominator} in
 * {@code paramTable()}.
 *
 * <p><b>Training</b> follows the contract of {@link RationalLayer} (the same words in all four rational layer types):
 * {@code .coefficientUpdater(...)} gives the coefficients their own updater (default: this vertex's
 * {@code .updater(...)}, else the network's); {@code .coefficientRegularization(...)} /
 * {@code .coefficientL1/L2/WeightDecay(...)} regularize them (default none). The network's global l1/l2/weight decay
 * apply to weights, and a vertex has none, so they never reach the coefficients. (0.1.0's vertex builder had
 * {@code .l1/.l2/.weightDecay} acting on the coefficients: they are the {@code coefficient...} words now; saved
 * models keep what they were saved with.) Version D multiplies
 * the numerator by fresh U[1-s, 1+s] noise on each training forward pass and is exact (= B) at inference.
 *
 * <p><b>DL4J limitations.</b> {@code ComputationGraph.numParams()} and the regularization term of the graph's score
 * count layers only, so they leave out a vertex's coefficients; {@code params()}, {@code paramTable()}, the
 * gradients, the regularization gradients and the updates include them.
 *
 * <p><b>Gradients</b> are exact on DL4J 1.0.0-M2.1 (whose SameDiff vertex runtime doubles them; see
 * {@link SameDiffGradientScale}); the runtime is {@link RationalVertexImpl}.
 *
 * <p>Defaults: the default {@link RationalSpec} ((5,4), version B, LeakyReLU init, LAYER sharing), NCW, NCHW.
 */
public class RationalVertex extends SameDiffVertex implements RationalLayer {
    private static final long serialVersionUID = 1L;

    /** Key of the numerator coefficients a_0..a_m, [S, m+1]. */
    public static final String NUMERATOR_KEY = RationalLayer.NUMERATOR_KEY;
    /** Key of the denominator coefficients, [S, n] ([S, n+1] for version C). */
    public static final String DENOMINATOR_KEY = RationalLayer.DENOMINATOR_KEY;
    /** Name of the vertex's single input inside its SameDiff graph. */
    public static final String INPUT_NAME = "input";

    private RationalSpec spec = RationalSpec.defaults();
    private long nIn;
    private RNNFormat rnnDataFormat = RNNFormat.NCW;
    private CNN2DFormat cnn2dDataFormat = CNN2DFormat.NCHW;
    private IUpdater coefficientUpdater;
    private List<Regularization> coefficientRegularization = new ArrayList<>();

    /** A vertex with the default spec (also used by JSON deserialization). */
    public RationalVertex() {
    }

    /** A vertex with this spec and otherwise default settings. */
    public RationalVertex(RationalSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        validate();
    }

    private RationalVertex(Builder b) {
        this.spec = b.spec;
        this.nIn = b.nIn;
        this.rnnDataFormat = b.rnnDataFormat;
        this.cnn2dDataFormat = b.cnn2dDataFormat;
        this.coefficientRegularization = b.coefficients.regularization();
        this.coefficientUpdater = b.coefficients.updater();
        this.updater = b.updater;
        validate();
    }

    /**
     * Checks the configuration (called by the builder and when the vertex is instantiated, since JSON
     * deserialization bypasses the builder).
     *
     * @throws IllegalArgumentException naming the offending value and the accepted range
     */
    public void validate() {
        if (spec == null) {
            throw new IllegalArgumentException(where() + "spec must not be null");
        }
        spec.validate();
        if (nIn < 0) {
            throw new IllegalArgumentException(where() + "nIn must be in [0, " + Long.MAX_VALUE
                    + "] (0 = from the input type), got " + nIn);
        }
        if (rnnDataFormat == null || cnn2dDataFormat == null) {
            throw new IllegalArgumentException(where() + "data formats must not be null, got RNN " + rnnDataFormat
                    + ", CNN " + cnn2dDataFormat);
        }
        if (nIn > 0) {
            spec.numSets(nIn);
        }
    }

    private String where() {
        return "RationalVertex '" + getName() + "': ";
    }

    /** Number of coefficient sets S for the configured channel count. */
    public int numSets() {
        if (spec.getSharing() == Sharing.LAYER) {
            return 1;
        }
        if (nIn <= 0) {
            throw new IllegalStateException(where() + spec.getSharing() + " sharing needs the channel count; set it "
                    + "with .nIn(channels) or give the graph input types (setInputTypes)");
        }
        return spec.numSets(nIn);
    }

    // ---------------------------------------------------------------- SameDiff definition

    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        params.clear();
        params.defineInputs(INPUT_NAME);
        // SDVertexParams knows only weights and biases; registered like the other SameDiff rational layers
        params.addBiasParam(NUMERATOR_KEY, numSets(), spec.numeratorLength());
        params.addBiasParam(DENOMINATOR_KEY, numSets(), spec.denominatorLength());
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        LayerPlumbing.fillRational(params, NUMERATOR_KEY, DENOMINATOR_KEY, spec.initialFunction());
    }

    /** R(input) for the input's rank, without version D's noise (the inference form). */
    @Override
    public SDVariable defineVertex(SameDiff sameDiff, Map<String, SDVariable> layerInput,
                                   Map<String, SDVariable> paramTable, Map<String, SDVariable> maskVars) {
        SDVariable in = layerInput.get(INPUT_NAME);
        long[] shape = in.getShape();
        return define(sameDiff, in, shape == null ? 2 : shape.length, paramTable, null);
    }

    /**
     * R(input).
     *
     * @param input          rank 2 (feed-forward), 3 (RNN, this vertex's format) or 4 (CNN, this vertex's format)
     * @param params         variables for {@value #NUMERATOR_KEY} and {@value #DENOMINATOR_KEY}
     * @param numeratorNoise version D's noise [S, m+1] multiplying the numerator, or null for none
     */
    public SDVariable define(SameDiff sd, SDVariable input, int rank, Map<String, SDVariable> params,
                             SDVariable numeratorNoise) {
        SDVariable numerator = params.get(NUMERATOR_KEY);
        if (numeratorNoise != null) {
            numerator = RationalSameDiff.noisyNumerator(numerator, numeratorNoise);
        }
        int sets = numSets();
        long channels = nIn > 0 ? nIn : 1;
        return RationalSameDiff.apply(sd, input, numerator, params.get(DENOMINATOR_KEY), spec.getVersion(),
                spec.getNumeratorDegree(), spec.getDenominatorDegree(), sets, channels, rank, channelsLast(rank));
    }

    /** Whether the channel axis of an input of this rank is the last one (NWC, NHWC). */
    public boolean channelsLast(int rank) {
        return rank == 3 && rnnDataFormat == RNNFormat.NWC || rank == 4 && cnn2dDataFormat == CNN2DFormat.NHWC;
    }

    // ---------------------------------------------------------------- DL4J plumbing

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        setName(name);
        validate();
        return new RationalVertexImpl(this, graph, name, idx, paramsView, initializeParams, networkDatatype);
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    /**
     * The output type equals the input type (FF, RNN, CNN or CNNFlat). Also takes the channel count (if not set) and
     * the RNN/CNN format from it, like a layer's {@code setNIn}.
     */
    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs == null || vertexInputs.length != 1 || vertexInputs[0] == null) {
            throw new InvalidInputTypeException(where() + "expects exactly 1 input, got "
                    + (vertexInputs == null ? 0 : Arrays.toString(vertexInputs)));
        }
        InputType t = vertexInputs[0];
        long channels;
        try {
            channels = LayerPlumbing.elementWiseChannels(t, where());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputTypeException(e.getMessage());
        }
        if (t.getType() == InputType.Type.RNN) {
            rnnDataFormat = ((InputType.InputTypeRecurrent) t).getFormat();
        } else if (t.getType() == InputType.Type.CNN) {
            cnn2dDataFormat = ((InputType.InputTypeConvolutional) t).getFormat();
        }
        if (nIn <= 0 && channels > 0) {
            setNIn(channels);
            validate();
        } else if (nIn > 0 && channels > 0 && channels != nIn) {
            throw new InvalidInputTypeException(where() + "input type " + t + " has " + channels
                    + " channels but the vertex was configured with nIn = " + nIn);
        }
        return t;
    }

    /** Masks pass through unchanged. */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        return new Pair<>(maskArrays == null || maskArrays.length == 0 ? null : maskArrays[0], currentMaskState);
    }

    /** The coefficients' regularization only; the network's global l1/l2/weight decay apply to weights. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return coefficientRegularizationOrEmpty();
    }

    /** The coefficients' updater if set, else this vertex's (its own or the network's). */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        if (NUMERATOR_KEY.equals(paramName) || DENOMINATOR_KEY.equals(paramName)) {
            return coefficientUpdaterOr(updater);
        }
        throw new IllegalArgumentException(where() + "unknown parameter key '" + paramName + "', expected one of "
                + List.of(NUMERATOR_KEY, DENOMINATOR_KEY));
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType in = inputTypes[0];
        return LayerPlumbing.parameterOnlyReport(getName(), RationalVertex.class, in, in, numParams(true),
                coefficientUpdaterOr(updater));
    }

    @Override
    public List<RationalSlot> rationalSlots() {
        return List.of(new RationalSlot("rational", NUMERATOR_KEY, DENOMINATOR_KEY, spec.getVersion(),
                spec.getNumeratorDegree(), spec.getDenominatorDegree(), numSets(), Math.max(nIn, 1)));
    }

    /** The parameter shapes, always derived from the configuration (never read from or written to JSON). */
    @Override
    @JsonIgnore
    public SDVertexParams getVertexParams() {
        return super.getVertexParams();
    }

    @Override
    @JsonIgnore
    public void setVertexParams(SDVertexParams vertexParams) {
        super.setVertexParams(vertexParams);
    }

    @Override
    public GraphVertex clone() {
        RationalVertex c = new RationalVertex();
        c.spec = spec;
        c.nIn = nIn;
        c.rnnDataFormat = rnnDataFormat;
        c.cnn2dDataFormat = cnn2dDataFormat;
        c.coefficientRegularization = coefficientRegularization == null ? new ArrayList<>()
                : new ArrayList<>(coefficientRegularization);
        c.coefficientUpdater = coefficientUpdater == null ? null : coefficientUpdater.clone();
        c.setName(getName());
        c.setUpdater(updater == null ? null : updater.clone());
        c.setBiasUpdater(biasUpdater == null ? null : biasUpdater.clone());
        c.setRegularization(regularization == null ? null : new ArrayList<>(regularization));
        c.setRegularizationBias(regularizationBias == null ? null : new ArrayList<>(regularizationBias));
        c.setGradientNormalization(gradientNormalization);
        c.setGradientNormalizationThreshold(gradientNormalizationThreshold);
        c.setDataType(dataType);
        return c;
    }

    // ---------------------------------------------------------------- getters and setters (JSON)

    public RationalSpec getSpec() {
        return spec;
    }

    public void setSpec(RationalSpec spec) {
        this.spec = spec;
        setVertexParams(null);
    }

    /** Channel count c (0 until known). */
    public long getNIn() {
        return nIn;
    }

    public void setNIn(long nIn) {
        if (this.nIn != nIn) {
            setVertexParams(null);
        }
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

    /** Regularization applied to the coefficients (only what was set on this vertex). */
    @Override
    public List<Regularization> getCoefficientRegularization() {
        return coefficientRegularization;
    }

    public void setCoefficientRegularization(List<Regularization> coefficientRegularization) {
        this.coefficientRegularization = coefficientRegularization;
    }

    /** The coefficients' own updater (null: the vertex's updater, else the network's). */
    @Override
    public IUpdater getCoefficientUpdater() {
        return coefficientUpdater;
    }

    public void setCoefficientUpdater(IUpdater coefficientUpdater) {
        this.coefficientUpdater = coefficientUpdater;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RationalVertex)) {
            return false;
        }
        RationalVertex v = (RationalVertex) o;
        return nIn == v.nIn && Objects.equals(spec, v.spec) && rnnDataFormat == v.rnnDataFormat
                && cnn2dDataFormat == v.cnn2dDataFormat
                && Objects.equals(coefficientRegularization, v.coefficientRegularization)
                && Objects.equals(coefficientUpdater, v.coefficientUpdater)
                && Objects.equals(updater, v.updater)
                && gradientNormalization == v.gradientNormalization
                && Double.compare(gradientNormalizationThreshold, v.gradientNormalizationThreshold) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(spec, nIn, rnnDataFormat, cnn2dDataFormat, coefficientRegularization, coefficientUpdater,
                updater);
    }

    @Override
    public String toString() {
        return "RationalVertex(spec=" + spec + ", nIn=" + nIn + ", rnnFormat=" + rnnDataFormat + ", cnnFormat="
                + cnn2dDataFormat + ", coefficientUpdater=" + coefficientUpdater + ", coefficientRegularization="
                + coefficientRegularization + ")";
    }

    /**
     * Builder for {@link RationalVertex}: {@code spec}, {@code nIn}, {@code dataFormat}, {@code updater} (of all the
     * vertex's parameters) and the coefficient words of {@link RationalLayer} ({@code coefficientUpdater},
     * {@code coefficientRegularization}, {@code coefficientL1/L2/WeightDecay}).
     */
    public static class Builder implements CoefficientOptions.Words<Builder> {
        private RationalSpec spec = RationalSpec.defaults();
        private long nIn;
        private RNNFormat rnnDataFormat = RNNFormat.NCW;
        private CNN2DFormat cnn2dDataFormat = CNN2DFormat.NCHW;
        private IUpdater updater;
        private final CoefficientOptions coefficients = new CoefficientOptions();

        /** The rational function: degrees, version, initialisation and sharing. */
        public Builder spec(RationalSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /** Channel count (needed for CHANNEL/GROUP sharing when the graph has no input types). */
        public Builder nIn(long channels) {
            this.nIn = channels;
            return this;
        }

        /** Layout of recurrent input (default NCW; taken from an RNN input type when there is one). */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Layout of convolutional input (default NCHW; taken from a CNN input type when there is one). */
        public Builder dataFormat(CNN2DFormat format) {
            this.cnn2dDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Updater of the vertex's parameters (default: the network's; see {@code coefficientUpdater}). */
        public Builder updater(IUpdater updater) {
            this.updater = updater;
            return this;
        }

        @Override
        public CoefficientOptions coefficientOptions() {
            return coefficients;
        }

        /** @throws IllegalArgumentException for an invalid setting, naming the value and its range */
        public RationalVertex build() {
            return new RationalVertex(this);
        }
    }
}
