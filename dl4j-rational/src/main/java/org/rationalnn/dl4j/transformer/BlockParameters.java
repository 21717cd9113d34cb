package org.rationalnn.dl4j.transformer;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.common.LayerPlumbing;
import org.rationalnn.dl4j.common.RationalLayer;
import org.rationalnn.dl4j.common.RationalSlot;
import org.rationalnn.dl4j.common.SameDiffLayerConfigs.Role;
import org.rationalnn.dl4j.rational.RationalFit;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.TargetFunction;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.ATTENTION_FIT_LOWER;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.ATTENTION_FIT_UPPER;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.ATTN_DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.ATTN_NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.B1;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.B2;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BG;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BK;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BO;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BQ;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BU;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BV;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN1_BIAS;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN1_GAIN;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN2_BIAS;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN2_GAIN;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R1_DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R1_NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R2_DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R2_NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.W1;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.W2;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WG;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WK;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WO;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WQ;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WU;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WV;

/**
 * The parameters of a {@link RationalTransformerBlock} configuration: their keys, shapes and order (which the
 * block's options decide), their initial values, the rationals they hold and their roles (matrices are weights, biases
 * and LayerNorm parameters biases, rational coefficients neither). Reads the configuration when it is called.
 */
final class BlockParameters {

    private final RationalTransformerBlock block;

    /**
     * The parameters of this block.
     *
     * @param block the configuration whose sizes, options, specs and weight init they follow
     */
    BlockParameters(RationalTransformerBlock block) {
        this.block = block;
    }

    /**
     * The parameter keys and shapes, in the order of the flattened parameter vector (see the block's class Javadoc).
     *
     * @return a new ordered map from key to shape
     * @throws IllegalArgumentException if a channel count does not fit the spec's sharing
     */
    Map<String, long[]> shapes() {
        long d = block.getDModel();
        long hid = block.hiddenWidth();
        RationalSpec spec = block.getSpec();
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String[] wb : new String[][]{{WQ, BQ}, {WK, BK}, {WV, BV}, {WO, BO}}) {
            m.put(wb[0], new long[]{d, d});
            m.put(wb[1], new long[]{1, d});
        }
        if (block.getNormalization() != RationalTransformerBlock.Normalization.NONE) {
            for (String k : new String[]{LN1_GAIN, LN1_BIAS, LN2_GAIN, LN2_BIAS}) {
                m.put(k, new long[]{1, d});
            }
        }
        switch (block.getFeedForward()) {
            case GELU:
                m.put(W1, new long[]{d, hid});
                m.put(B1, new long[]{1, hid});
                break;
            case RATIONAL:
                m.put(R1_NUMERATOR, new long[]{spec.numSets(d), spec.numeratorLength()});
                m.put(R1_DENOMINATOR, new long[]{spec.numSets(d), spec.denominatorLength()});
                m.put(W1, new long[]{d, hid});
                m.put(B1, new long[]{1, hid});
                m.put(R2_NUMERATOR, new long[]{spec.numSets(hid), spec.numeratorLength()});
                m.put(R2_DENOMINATOR, new long[]{spec.numSets(hid), spec.denominatorLength()});
                break;
            default:
                m.put(WG, new long[]{d, hid});
                m.put(BG, new long[]{1, hid});
                m.put(WU, new long[]{d, hid});
                m.put(BU, new long[]{1, hid});
                if (block.getFeedForward() == RationalTransformerBlock.FeedForward.RATIONAL_GLU) {
                    m.put(NUMERATOR, new long[]{spec.numSets(hid), spec.numeratorLength()});
                    m.put(DENOMINATOR, new long[]{spec.numSets(hid), spec.denominatorLength()});
                }
        }
        m.put(W2, new long[]{hid, d});
        m.put(B2, new long[]{1, d});
        if (block.getAttention() == RationalTransformerBlock.Attention.RATIONAL) {
            m.put(ATTN_NUMERATOR, new long[]{1, block.getAttentionNumeratorDegree() + 1});
            m.put(ATTN_DENOMINATOR, new long[]{1, block.getAttentionDenominatorDegree()});
        }
        return m;
    }

    /**
     * Registers the parameters of {@link #shapes()}: keys starting with "W" as weights, every other key as a bias
     * (biases, LayerNorm parameters and coefficients; the block's initializer reports coefficients as neither).
     *
     * @param params DL4J's parameter table to fill (cleared first)
     * @throws IllegalStateException if dModel is still unknown
     */
    void register(SDLayerParams params) {
        if (block.getDModel() < 1) {
            throw new IllegalStateException(block.where() + "dModel is unknown; set it with .dModel(...) or give the "
                    + "network an input type (setInputType / setInputTypes)");
        }
        params.clear();
        for (Map.Entry<String, long[]> e : shapes().entrySet()) {
            if (e.getKey().startsWith("W")) {
                params.addWeightParam(e.getKey(), e.getValue());
            } else {
                params.addBiasParam(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * Writes the initial values: matrices from the block's weight init (default Xavier, 'c' order), biases 0,
     * LayerNorm gains 1 and biases 0, RATIONAL_GLU's coefficients from the spec, KAT's R1 as the identity and R2 as
     * the tanh form of GELU (the spec with that init), the attention rational from {@link #attentionInit()}.
     *
     * @param params the parameter views, by key
     * @throws IllegalArgumentException if a spec is invalid
     */
    void initialize(Map<String, INDArray> params) {
        WeightInit configured = block.getWeightInit();
        IWeightInit wi = (configured == null ? WeightInit.XAVIER : configured).getWeightInitFunction();
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String k = e.getKey();
            INDArray p = e.getValue();
            if (k.startsWith("W")) {
                wi.init(p.size(0), p.size(1), p.shape(), 'c', p);
            } else if (k.equals(LN1_GAIN) || k.equals(LN2_GAIN)) {
                p.assign(1.0);
            } else if (k.startsWith("b") || k.endsWith("Bias")) {
                p.assign(0.0);
            }
        }
        switch (block.getFeedForward()) {
            case RATIONAL_GLU:
                LayerPlumbing.fillRational(params, NUMERATOR, DENOMINATOR, block.getSpec().initialFunction());
                break;
            case RATIONAL:
                LayerPlumbing.fillRational(params, R1_NUMERATOR, R1_DENOMINATOR,
                        katSpec(TargetFunction.IDENTITY).initialFunction());
                LayerPlumbing.fillRational(params, R2_NUMERATOR, R2_DENOMINATOR,
                        katSpec(TargetFunction.GELU_TANH).initialFunction());
                break;
            default:
                break;
        }
        if (block.getAttention() == RationalTransformerBlock.Attention.RATIONAL) {
            LayerPlumbing.fillRational(params, ATTN_NUMERATOR, ATTN_DENOMINATOR, attentionInit());
        }
    }

    /**
     * Spec of the KAT R1 (identity init) or R2 (GELU_TANH init) rationals.
     *
     * @param init the initial function
     * @return the block's spec with {@code init} as its initial function
     */
    RationalSpec katSpec(TargetFunction init) {
        return block.getSpec().toBuilder().init(init).build();
    }

    /**
     * The initial attention rational R_a.
     *
     * @return the version-B fit of exp(z/2) on [{@value RationalTransformerBlock#ATTENTION_FIT_LOWER},
     *         {@value RationalTransformerBlock#ATTENTION_FIT_UPPER}] with the attention degrees, so R_a² ≈ exp there
     */
    RationalFunction attentionInit() {
        return RationalFit.fit(z -> Math.exp(z / 2), RationalVersion.B, block.getAttentionNumeratorDegree(),
                block.getAttentionDenominatorDegree(), ATTENTION_FIT_LOWER, ATTENTION_FIT_UPPER).function();
    }

    /**
     * The rationals the block's options use: "rational" (RATIONAL_GLU, over H channels), "r1" (over d) and "r2"
     * (over H) for RATIONAL, "attention" (one set, version B) for RATIONAL attention.
     *
     * @return the slots, in this order
     * @throws IllegalArgumentException if a channel count does not fit the spec's sharing
     */
    List<RationalSlot> slots() {
        List<RationalSlot> out = new ArrayList<>();
        long hid = block.hiddenWidth();
        switch (block.getFeedForward()) {
            case RATIONAL_GLU:
                out.add(slot("rational", NUMERATOR, DENOMINATOR, hid));
                break;
            case RATIONAL:
                out.add(slot("r1", R1_NUMERATOR, R1_DENOMINATOR, block.getDModel()));
                out.add(slot("r2", R2_NUMERATOR, R2_DENOMINATOR, hid));
                break;
            default:
                break;
        }
        if (block.getAttention() == RationalTransformerBlock.Attention.RATIONAL) {
            out.add(new RationalSlot("attention", ATTN_NUMERATOR, ATTN_DENOMINATOR, RationalVersion.B,
                    block.getAttentionNumeratorDegree(), block.getAttentionDenominatorDegree(), 1, 1));
        }
        return out;
    }

    /** A slot of the block's spec over {@code channels} channels. */
    private RationalSlot slot(String name, String num, String den, long channels) {
        RationalSpec spec = block.getSpec();
        return new RationalSlot(name, num, den, spec.getVersion(), spec.getNumeratorDegree(),
                spec.getDenominatorDegree(), spec.numSets(channels), channels);
    }

    /**
     * The role of a parameter key, decided by its name alone (so it holds before the block knows its sizes).
     *
     * @param key a parameter key
     * @return COEFFICIENTS for the block's coefficient keys ({@link RationalLayer#isCoefficientKey}), WEIGHT for
     *         keys starting with "W", BIAS for every other key
     */
    Role role(String key) {
        if (block.isCoefficientKey(key)) {
            return Role.COEFFICIENTS;
        }
        return key.startsWith("W") ? Role.WEIGHT : Role.BIAS;
    }
}
