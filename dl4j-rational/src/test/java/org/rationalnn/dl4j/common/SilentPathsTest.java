package org.rationalnn.dl4j.common;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.rationalnn.dl4j.activation.ActivationRational;
import org.rationalnn.dl4j.kernel.RationalKernels;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What used to be silently wrong is now a clear exception (or documented behaviour, tested elsewhere). */
class SilentPathsTest {

    @Test
    void activationReadFromJsonIsValidated() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nOut(2).activation(new ActivationRational(RationalVersion.B,
                        new double[]{0, 1, 0.5}, new double[]{0.25})).build())
                .setInputType(InputType.feedForward(2)).build();
        String json = conf.toJson();
        assertEquals(conf, MultiLayerConfiguration.fromJson(json), "valid JSON still reads");
        // a hand-edited configuration with a non-finite coefficient
        String bad = json.replaceFirst("0\\.5", "\"NaN\"");
        Exception e = assertThrows(RuntimeException.class, () -> MultiLayerConfiguration.fromJson(bad));
        assertTrue(messages(e).contains("must be finite, got NaN"), messages(e));
        // and one with an unknown version
        String noVersion = json.replace("\"version\" : \"B\"", "\"version\" : null");
        Exception e2 = assertThrows(RuntimeException.class, () -> MultiLayerConfiguration.fromJson(noVersion));
        assertTrue(messages(e2).contains("version must be one of"), messages(e2));
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    @Test
    void katBlockRejectsAConstantNumerator() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new org.rationalnn.dl4j.transformer.RationalTransformerBlock.Builder().dModel(4)
                        .feedForward(org.rationalnn.dl4j.transformer.RationalTransformerBlock.FeedForward.RATIONAL)
                        .spec(org.rationalnn.dl4j.rational.RationalSpec.builder().degrees(0, 2).build()).build());
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }

    @Test
    void kernelRejectsViewOutputs() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6);
        INDArray num = Nd4j.createFromArray(new float[][]{{0, 1, 0.1f}});
        INDArray den = Nd4j.createFromArray(new float[][]{{0.2f}});
        INDArray big = Nd4j.create(DataType.FLOAT, 4, 12);
        INDArray view = big.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RationalKernels.forward(RationalVersion.B, x, false, Sharing.LAYER, num, den, view));
        assertTrue(e.getMessage().contains("not a view"), e.getMessage());
        INDArray fOrder = Nd4j.create(DataType.FLOAT, new long[]{4, 6}, 'f');
        assertThrows(IllegalArgumentException.class,
                () -> RationalKernels.forward(RationalVersion.B, x, false, Sharing.LAYER, num, den, fOrder));
        INDArray wrongShape = Nd4j.create(DataType.FLOAT, 4, 5);
        assertThrows(IllegalArgumentException.class, () -> RationalKernels.backward(RationalVersion.B, x, false,
                Sharing.LAYER, num, den, x.dup(), wrongShape, num.ulike(), den.ulike()));
    }

    @Test
    void activationOnAViewStillWorksThroughABuffer() {
        // DL4J hands activations views (e.g. LSTM gates): the activation copies through a buffer, never fails
        ActivationRational act = new ActivationRational(RationalVersion.B, new double[]{0, 1, 0.5}, new double[]{0.25});
        INDArray big = Nd4j.rand(DataType.DOUBLE, 3, 8);
        INDArray view = big.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 6));
        INDArray expected = view.dup();
        for (int i = 0; i < expected.length(); i++) {
            double v = expected.getDouble(i);
            expected.putScalar(i, (v + 0.5 * v * v) / (1 + Math.abs(0.25 * v)));
        }
        act.getActivation(view, false);
        assertTrue(expected.equalsWithEps(big.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 6)), 1e-12));
    }
}
