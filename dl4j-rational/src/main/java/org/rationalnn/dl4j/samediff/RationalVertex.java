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
 * <p><b>Parameters.</b> {@value #NUMERATOR_KEY} [S, m+1] and {@value #DENOMINATOR_KEY} [S, n] ([S, n+1] for
 * version C), S = 1 (LAYER sharing), c (CHANNEL) or g (GROUP over contiguous channels), each set initialised from the
 * {@link RationalSpec}.
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

    /** The rational: type, version, initialisation, sharing (JSON field {@code spec}). */
    private RationalSpec spec = RationalSpec.defaults();
    /** Channel count c; 0 until set by the builder or the input type (JSON field {@code nIn}). */
    private long nIn;
    /** Layout of rank-3 input, NCW or NWC (JSON field {@code rnnDataFormat}). */
    private RNNFormat rnnDataFormat = RNNFormat.NCW;
    /** Layout of rank-4 input, NCHW or NHWC (JSON field {@code cnn2dDataFormat}). */
    private CNN2DFormat cnn2dDataFormat = CNN2DFormat.NCHW;
    /** The coefficients' own updater, null for the vertex's (JSON field {@code coefficientUpdater}). */
    private IUpdater coefficientUpdater;
    /** Regularization of the coefficients, empty for none (JSON field {@code coefficientRegularization}). */
    private List<Regularization> coefficientRegularization = new ArrayList<>();

    /** A vertex with the default spec (also used by JSON deserialization). */
    public RationalVertex() {
    }

    /**
     * A vertex with this spec and otherwise default settings (channel count from the graph's input types, NCW,
     * NCHW, the network's updater, no coefficient regularization).
     *
     * @param spec the rational's type, version, initialisation and sharing
     * @throws NullPointerException     if {@code spec} is null
     * @throws IllegalArgumentException if the spec is invalid
     */
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

    /**
     * Number of coefficient sets S for the configured channel count.
     *
     * @return 1 for LAYER sharing, c for CHANNEL, the group count g for GROUP
     * @throws IllegalStateException    for CHANNEL or GROUP sharing while the channel count is unknown (nIn = 0)
     * @throws IllegalArgumentException if the channel count does not fit the sharing (g not dividing c)
     */
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

    /**
     * Declares the single input {@value #INPUT_NAME} and the parameters {@value #NUMERATOR_KEY} [S, m+1] and
     * {@value #DENOMINATOR_KEY} [S, n'] (n' = n, or n + 1 for version C), registered as biases (the only other kind
     * {@code SDVertexParams} knows).
     *
     * @param params DL4J's vertex parameter table to fill (cleared first)
     * @throws IllegalStateException for CHANNEL or GROUP sharing while the channel count is unknown
     */
    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        params.clear();
        params.defineInputs(INPUT_NAME);
        // SDVertexParams knows only weights and biases; registered like the other SameDiff rational layers
        params.addBiasParam(NUMERATOR_KEY, numSets(), spec.numeratorLength());
        params.addBiasParam(DENOMINATOR_KEY, numSets(), spec.denominatorLength());
    }

    /**
     * Writes the spec's initial function into every coefficient set.
     *
     * @param params the parameter views, by key
     * @throws IllegalArgumentException if the spec is invalid
     */
    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        LayerPlumbing.fillRational(params, NUMERATOR_KEY, DENOMINATOR_KEY, spec.initialFunction());
    }

    /**
     * R(input) for the input's rank, without version D's noise (the inference form). The runtime
     * ({@link RationalVertexImpl}) builds its graphs with {@link #define} instead.
     *
     * @param sameDiff   the graph to add the vertex to
     * @param layerInput the input variables; only {@value #INPUT_NAME} is used (rank 2 if its shape is unknown)
     * @param paramTable variables for {@value #NUMERATOR_KEY} and {@value #DENOMINATOR_KEY}
     * @param maskVars   ignored (masks pass through)
     * @return R(input), the input's shape
     */
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
     * @param sd             the graph to add the expression to
     * @param input          rank 2 (feed-forward), 3 (RNN, this vertex's format) or 4 (CNN, this vertex's format)
     * @param rank           rank of {@code input}, 2, 3 or 4
     * @param params         variables for {@value #NUMERATOR_KEY} and {@value #DENOMINATOR_KEY}
     * @param numeratorNoise version D's noise [S, m+1] multiplying the numerator, or null for none
     * @return R(input), the input's shape
     * @throws IllegalStateException    for CHANNEL or GROUP sharing while the channel count is unknown
     * @throws IllegalArgumentException for an unsupported rank or type, or coefficients of the wrong shape
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

    /**
     * Whether the channel axis of an input of this rank is the last one (NWC, NHWC).
     *
     * @param rank the input's rank
     * @return true for rank 3 with NWC or rank 4 with NHWC; false otherwise (the channel axis is axis 1)
     */
    public boolean channelsLast(int rank) {
        return rank == 3 && rnnDataFormat == RNNFormat.NWC || rank == 4 && cnn2dDataFormat == CNN2DFormat.NHWC;
    }

    // ---------------------------------------------------------------- DL4J plumbing

    /**
     * Creates the runtime vertex ({@link RationalVertexImpl}) after taking the vertex's name and validating this
     * configuration again (JSON deserialization bypasses the builder).
     *
     * @param graph            the computation graph
     * @param name             the vertex's name in the graph
     * @param idx              the vertex's index in the graph
     * @param paramsView       this vertex's view of the graph's flattened parameters
     * @param initializeParams whether to write the initial coefficients into the view (false when loading)
     * @param networkDatatype  the graph's data type
     * @return the runtime vertex
     * @throws IllegalArgumentException for an invalid configuration
     */
    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        setName(name);
        validate();
        return new RationalVertexImpl(this, graph, name, idx, paramsView, initializeParams, networkDatatype);
    }

    /**
     * The vertex takes exactly one input.
     *
     * @return 1
     */
    @Override
    public int minVertexInputs() {
        return 1;
    }

    /**
     * The vertex takes exactly one input.
     *
     * @return 1
     */
    @Override
    public int maxVertexInputs() {
        return 1;
    }

    /**
     * The output type equals the input type (FF, RNN, CNN or CNNFlat). Also takes the channel count (if not set) and
     * the RNN/CNN format from it, like a layer's {@code setNIn}.
     *
     * @param layerIndex   index of the vertex (unused)
     * @param vertexInputs exactly one input type
     * @return the input type itself
     * @throws InvalidInputTypeException if there is not exactly one input type, it is of another kind, or its
     *                                   channel count differs from a configured nIn
     * @throws IllegalArgumentException  if the channel count taken from the input type does not fit the sharing
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

    /**
     * Masks pass through unchanged.
     *
     * @param maskArrays       the input's masks (may be null)
     * @param currentMaskState the current mask state
     * @param minibatchSize    the minibatch size (unused)
     * @return the first mask (or null) with {@code currentMaskState}
     */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        return new Pair<>(maskArrays == null || maskArrays.length == 0 ? null : maskArrays[0], currentMaskState);
    }

    /**
     * The coefficients' regularization only; the network's global l1/l2/weight decay apply to weights.
     *
     * @param paramName a parameter key (both keys are coefficients)
     * @return {@link #coefficientRegularizationOrEmpty()}, never null
     */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return coefficientRegularizationOrEmpty();
    }

    /**
     * The coefficients' updater if set, else this vertex's (its own or the network's).
     *
     * @param paramName {@value #NUMERATOR_KEY} or {@value #DENOMINATOR_KEY}
     * @return the updater of the coefficients
     * @throws IllegalArgumentException for any other key, naming it and the accepted ones
     */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        if (NUMERATOR_KEY.equals(paramName) || DENOMINATOR_KEY.equals(paramName)) {
            return coefficientUpdaterOr(updater);
        }
        throw new IllegalArgumentException(where() + "unknown parameter key '" + paramName + "', expected one of "
                + List.of(NUMERATOR_KEY, DENOMINATOR_KEY));
    }

    /**
     * DL4J's memory report: the coefficients and the state of their updater, no working memory.
     *
     * @param inputTypes the single input type (also the output type)
     * @return the report
     */
    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        if (inputTypes == null || inputTypes.length != 1 || inputTypes[0] == null) {
            throw new IllegalArgumentException(where() + "memory report needs exactly 1 input type, got "
                    + (inputTypes == null ? "null" : Arrays.toString(inputTypes)));
        }
        InputType in = inputTypes[0];
        return LayerPlumbing.parameterOnlyReport(getName(), RationalVertex.class, in, in, numParams(true), this,
                updater);
    }

    /**
     * The vertex's single rational, named {@code "rational"}.
     *
     * @return one slot with keys {@value #NUMERATOR_KEY} and {@value #DENOMINATOR_KEY} over max(nIn, 1) channels
     * @throws IllegalStateException for CHANNEL or GROUP sharing while the channel count is unknown
     */
    @Override
    public List<RationalSlot> rationalSlots() {
        return List.of(new RationalSlot("rational", NUMERATOR_KEY, DENOMINATOR_KEY, spec.getVersion(),
                spec.getNumeratorDegree(), spec.getDenominatorDegree(), numSets(), Math.max(nIn, 1)));
    }

    /**
     * The parameter shapes, always derived from the configuration (never read from or written to JSON).
     *
     * @return DL4J's parameter table of this vertex (built by {@link #defineParametersAndInputs} when first needed)
     */
    @Override
    @JsonIgnore
    public SDVertexParams getVertexParams() {
        return super.getVertexParams();
    }

    /**
     * Replaces the cached parameter shapes; null makes them be derived again (used when a size changes). Never read
     * from JSON.
     *
     * @param vertexParams the parameter table, or null
     */
    @Override
    @JsonIgnore
    public void setVertexParams(SDVertexParams vertexParams) {
        super.setVertexParams(vertexParams);
    }

    /**
     * A copy of this configuration: spec (immutable, shared), sizes, formats, name, data type, gradient
     * normalization, and copies of the updaters and regularization lists.
     *
     * @return the copy, a {@code RationalVertex}
     */
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

    /**
     * The rational: degrees, version, initialisation and sharing. Default: {@link RationalSpec#defaults()}.
     *
     * @return the spec (immutable)
     */
    public RationalSpec getSpec() {
        return spec;
    }

    /**
     * Sets the rational (for JSON; use {@link Builder#spec(RationalSpec)}) and drops the cached parameter shapes. Not
     * validated here: {@link #validate()} runs when the vertex is instantiated.
     *
     * @param spec the new spec
     */
    public void setSpec(RationalSpec spec) {
        this.spec = spec;
        setVertexParams(null);
    }

    /**
     * Channel count c (0 until known).
     *
     * @return c ≥ 0; 0 means "from the input type"
     */
    public long getNIn() {
        return nIn;
    }

    /**
     * Sets the channel count (for JSON; use {@link Builder#nIn(long)}); a changed value drops the cached parameter
     * shapes. Not validated here.
     *
     * @param nIn c ≥ 0 (0: from the input type)
     */
    public void setNIn(long nIn) {
        if (this.nIn != nIn) {
            setVertexParams(null);
        }
        this.nIn = nIn;
    }

    /**
     * Layout of rank-3 (recurrent) input. Default NCW; taken from an RNN input type.
     *
     * @return NCW ([mb, c, T]) or NWC ([mb, T, c])
     */
    public RNNFormat getRnnDataFormat() {
        return rnnDataFormat;
    }

    /**
     * Sets the layout of rank-3 input (for JSON; use {@link Builder#dataFormat(RNNFormat)}).
     *
     * @param rnnDataFormat NCW or NWC
     */
    public void setRnnDataFormat(RNNFormat rnnDataFormat) {
        this.rnnDataFormat = rnnDataFormat;
    }

    /**
     * Layout of rank-4 (convolutional) input. Default NCHW; taken from a CNN input type.
     *
     * @return NCHW ([mb, c, h, w]) or NHWC ([mb, h, w, c])
     */
    public CNN2DFormat getCnn2dDataFormat() {
        return cnn2dDataFormat;
    }

    /**
     * Sets the layout of rank-4 input (for JSON; use {@link Builder#dataFormat(CNN2DFormat)}).
     *
     * @param cnn2dDataFormat NCHW or NHWC
     */
    public void setCnn2dDataFormat(CNN2DFormat cnn2dDataFormat) {
        this.cnn2dDataFormat = cnn2dDataFormat;
    }

    /**
     * Regularization applied to the coefficients (only what was set on this vertex). Default: empty.
     *
     * @return the list held by this configuration (not a copy)
     */
    @Override
    public List<Regularization> getCoefficientRegularization() {
        return coefficientRegularization;
    }

    /**
     * Sets the coefficients' regularization (for JSON; use the builder words {@code coefficientRegularization},
     * {@code coefficientL1/L2/WeightDecay}).
     *
     * @param coefficientRegularization the regularizations (null or empty: none); held, not copied
     */
    public void setCoefficientRegularization(List<Regularization> coefficientRegularization) {
        this.coefficientRegularization = coefficientRegularization;
    }

    /**
     * The coefficients' own updater. Default: null.
     *
     * @return the updater, or null when the coefficients use the vertex's updater, else the network's
     */
    @Override
    public IUpdater getCoefficientUpdater() {
        return coefficientUpdater;
    }

    /**
     * Sets the coefficients' own updater (for JSON; use the builder word {@code coefficientUpdater}).
     *
     * @param coefficientUpdater the updater, or null for the vertex's
     */
    public void setCoefficientUpdater(IUpdater coefficientUpdater) {
        this.coefficientUpdater = coefficientUpdater;
    }

    /**
     * Equal if spec, nIn, data formats, the coefficients' own updater and regularization, and the configuration
     * inherited from {@code SameDiffVertex} (updater, bias updater, regularization, bias regularization, gradient
     * normalization and its threshold) are equal. Not compared: the name, which the graph sets when it instantiates
     * the vertex, and the data type, which is the network's.
     *
     * @param o another object
     * @return true for an equal configuration
     */
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
                && Objects.equals(updater, v.updater) && Objects.equals(biasUpdater, v.biasUpdater)
                && Objects.equals(regularization, v.regularization)
                && Objects.equals(regularizationBias, v.regularizationBias)
                && gradientNormalization == v.gradientNormalization
                && Double.compare(gradientNormalizationThreshold, v.gradientNormalizationThreshold) == 0;
    }

    /**
     * A hash over the fields {@link #equals} compares.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(spec, nIn, rnnDataFormat, cnn2dDataFormat, coefficientRegularization, coefficientUpdater,
                updater, biasUpdater, regularization, regularizationBias, gradientNormalization,
                gradientNormalizationThreshold);
    }

    /**
     * A description for logs and configuration summaries.
     *
     * @return the spec, nIn, data formats and coefficient training options
     */
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

        /**
         * The rational function: degrees, version, initialisation and sharing. Default:
         * {@link RationalSpec#defaults()} ((5,4), version B, LeakyReLU init on [-3, 3], LAYER sharing).
         *
         * @param spec the spec
         * @return this builder
         * @throws NullPointerException if {@code spec} is null
         */
        public Builder spec(RationalSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /**
         * Channel count (needed for CHANNEL/GROUP sharing when the graph has no input types). Default 0: taken from
         * the graph's input types. When set, every input must have exactly this many channels.
         *
         * @param channels c ≥ 0 (0: from the input type)
         * @return this builder
         */
        public Builder nIn(long channels) {
            this.nIn = channels;
            return this;
        }

        /**
         * Layout of recurrent input (default NCW; taken from an RNN input type when there is one).
         *
         * @param format NCW ([mb, c, T]) or NWC ([mb, T, c])
         * @return this builder
         * @throws NullPointerException if {@code format} is null
         */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * Layout of convolutional input (default NCHW; taken from a CNN input type when there is one).
         *
         * @param format NCHW ([mb, c, h, w]) or NHWC ([mb, h, w, c])
         * @return this builder
         * @throws NullPointerException if {@code format} is null
         */
        public Builder dataFormat(CNN2DFormat format) {
            this.cnn2dDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * Updater of the vertex's parameters (default: the network's; see {@code coefficientUpdater}).
         *
         * @param updater the updater, or null for the network's
         * @return this builder
         */
        public Builder updater(IUpdater updater) {
            this.updater = updater;
            return this;
        }

        /**
         * The coefficient options behind the coefficient words.
         *
         * @return this builder's options
         */
        @Override
        public CoefficientOptions coefficientOptions() {
            return coefficients;
        }

        /**
         * Builds and validates the vertex.
         *
         * @return the vertex configuration
         * @throws IllegalArgumentException for an invalid setting, naming the value and its range (invalid spec,
         *                                  negative nIn, a channel count that does not fit the sharing)
         */
        public RationalVertex build() {
            return new RationalVertex(this);
        }
    }
}
