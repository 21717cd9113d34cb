package org.rationalnn.dl4j.common;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.rationalnn.dl4j.samediff.RationalDense;
import org.rationalnn.dl4j.samediff.RationalVertex;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Configurations of the SameDiff rational layer types that differ only in an updater or a regularization (their
 * inherited layer-wide ones or the coefficients' own ones from {@link CoefficientOptions}) are not equal, and each
 * comes back from its JSON form equal to itself, with the same hash.
 */
class SameDiffLayerConfigsTest {

    private static final ObjectMapper JSON = NeuralNetConfiguration.mapper();

    @Test
    void denseConfigurationsDifferingOnlyInUpdatersOrRegularizationDiffer() throws IOException {
        checkLayerVariants(() -> new RationalDense.Builder().nIn(3).nOut(4).name("dense"));
        checkDiffersAndRoundTrips("coefficient l1 vs l2",
                new RationalDense.Builder().nIn(3).nOut(4).coefficientL1(1e-4).build(),
                new RationalDense.Builder().nIn(3).nOut(4).coefficientL2(1e-4).build(), Layer.class);
    }

    @Test
    void blockConfigurationsDifferingOnlyInUpdatersOrRegularizationDiffer() throws IOException {
        checkLayerVariants(() -> new RationalTransformerBlock.Builder().dModel(4).heads(2).name("block"));
    }

    @Test
    void vertexConfigurationsDifferingOnlyInUpdatersOrRegularizationDiffer() throws IOException {
        Map<String, Consumer<RationalVertex>> variants = new LinkedHashMap<>();
        variants.put("updater", v -> v.setUpdater(new Adam(1e-3)));
        variants.put("bias updater", v -> v.setBiasUpdater(new Sgd(0.1)));
        variants.put("regularization", v -> v.setRegularization(List.of(new L2Regularization(1e-3))));
        variants.put("bias regularization", v -> v.setRegularizationBias(List.of(new L1Regularization(1e-3))));
        variants.put("gradient normalization", v -> v.setGradientNormalization(GradientNormalization.ClipL2PerLayer));
        variants.put("coefficient updater", v -> v.setCoefficientUpdater(new Adam(5e-4)));
        variants.put("coefficient regularization",
                v -> v.setCoefficientRegularization(List.of(new L2Regularization(1e-4))));
        RationalVertex base = new RationalVertex.Builder().nIn(3).build();
        for (Map.Entry<String, Consumer<RationalVertex>> e : variants.entrySet()) {
            RationalVertex variant = new RationalVertex.Builder().nIn(3).build();
            e.getValue().accept(variant);
            checkDiffersAndRoundTrips(e.getKey(), base, variant, GraphVertex.class);
        }
    }

    /**
     * Each layer built with one updater or regularization word more than the plain {@code builder} differs from the
     * plain layer and round-trips through JSON.
     */
    private static <B extends AbstractSameDiffLayer.Builder<B> & CoefficientOptions.Words<B>> void checkLayerVariants(
            Supplier<B> builder) throws IOException {
        Map<String, UnaryOperator<B>> variants = new LinkedHashMap<>();
        variants.put("updater", b -> b.updater(new Adam(1e-3)));
        variants.put("bias updater", b -> b.biasUpdater(new Sgd(0.1)));
        variants.put("l2", b -> b.l2(1e-3));
        variants.put("bias l2", b -> b.l2Bias(1e-3));
        variants.put("l1", b -> b.l1(1e-3));
        variants.put("bias l1", b -> b.l1Bias(1e-3));
        variants.put("coefficient updater", b -> b.coefficientUpdater(new Adam(5e-4)));
        variants.put("coefficient l1", b -> b.coefficientL1(1e-4));
        variants.put("coefficient l2", b -> b.coefficientL2(1e-4));
        variants.put("coefficient weight decay", b -> b.coefficientWeightDecay(1e-4));
        Layer base = builder.get().build();
        for (Map.Entry<String, UnaryOperator<B>> e : variants.entrySet()) {
            Layer variant = e.getValue().apply(builder.get()).build();
            checkDiffersAndRoundTrips(e.getKey(), base, variant, Layer.class);
        }
    }

    /** {@code variant} differs from {@code base}; both read back from JSON equal to themselves, with equal hashes. */
    private static <T> void checkDiffersAndRoundTrips(String what, T base, T variant, Class<? super T> type)
            throws IOException {
        assertNotEquals(base, variant, what + ": configurations differing only in this must not be equal");
        assertNotEquals(variant, base, what + ": equality must be symmetric");
        for (T conf : List.of(base, variant)) {
            Object restored = JSON.readValue(JSON.writeValueAsString(conf), type);
            assertEquals(conf, restored, what + ": JSON round trip");
            assertEquals(conf.hashCode(), restored.hashCode(), what + ": hash after the JSON round trip");
        }
    }
}
