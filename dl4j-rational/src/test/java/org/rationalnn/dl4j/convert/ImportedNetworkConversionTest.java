package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conversion of networks users bring from elsewhere: (1) a network from DL4J's Keras import (a Keras 2 Sequential
 * model's JSON with its training configuration; channels-last convolutions, so the rational after the convolution
 * sees NHWC activations), trained a few steps; (2) a ComputationGraph with the structure of DL4J's zoo ResNet50 (stem
 * convolution, batch normalization and ReLU ActivationLayers, a bottleneck convolution block with a projection
 * shortcut, an identity block, global average pooling), built from its configuration (the zoo artifact itself is not
 * a dependency). Both keep the reported fidelity bound, checked independently by
 * {@link ConversionFidelityTest#checkFidelity}.
 */
class ImportedNetworkConversionTest {

    @BeforeAll
    static void floatPrecision() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    private static final int SIZE = 8;

    private static String dense(String name, int units, String activation) {
        return "{\"class_name\": \"Dense\", \"config\": {\"name\": \"" + name + "\", \"trainable\": true, "
                + "\"dtype\": \"float32\", \"units\": " + units + ", \"activation\": \"" + activation + "\", "
                + "\"use_bias\": true, " + INIT + "}}";
    }

    private static final String INIT = "\"kernel_initializer\": {\"class_name\": \"VarianceScaling\", \"config\": "
            + "{\"scale\": 1.0, \"mode\": \"fan_avg\", \"distribution\": \"uniform\", \"seed\": null}}, "
            + "\"bias_initializer\": {\"class_name\": \"Zeros\", \"config\": {}}, \"kernel_regularizer\": null, "
            + "\"bias_regularizer\": null, \"activity_regularizer\": null, \"kernel_constraint\": null, "
            + "\"bias_constraint\": null";

    /** Keras 2: Conv2D(4, 3×3, same, relu) → Flatten → Dense(10, elu) → Dense(3, softmax), input 8×8×1. */
    private static final String KERAS_MODEL = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"seq\", "
            + "\"layers\": [{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"conv\", \"trainable\": true, "
            + "\"batch_input_shape\": [null, " + SIZE + ", " + SIZE + ", 1], \"dtype\": \"float32\", \"filters\": 4, "
            + "\"kernel_size\": [3, 3], \"strides\": [1, 1], \"padding\": \"same\", \"data_format\": "
            + "\"channels_last\", \"dilation_rate\": [1, 1], \"activation\": \"relu\", \"use_bias\": true, " + INIT
            + "}}, {\"class_name\": \"Flatten\", \"config\": {\"name\": \"flatten\", \"trainable\": true, "
            + "\"data_format\": \"channels_last\"}}, " + dense("hidden", 10, "elu") + ", " + dense("probs", 3,
            "softmax") + "]}, \"keras_version\": \"2.2.4\", \"backend\": \"tensorflow\"}";

    private static final String KERAS_TRAINING = "{\"loss\": \"categorical_crossentropy\", \"metrics\": "
            + "[\"accuracy\"], \"optimizer_config\": {\"class_name\": \"Adam\", \"config\": {\"lr\": 0.01, "
            + "\"beta_1\": 0.9, \"beta_2\": 0.999, \"decay\": 0.0, \"epsilon\": 1e-07, \"amsgrad\": false}}}";

    /** The generated images as NHWC [n, 8, 8, 1], the layout a Keras channels-last model takes. */
    private static List<DataSet> nhwcImages(int batches, long seed) {
        List<DataSet> out = new ArrayList<>();
        for (DataSet d : ConvertNets.images(batches, 16, seed, DataType.FLOAT, SIZE)) {
            INDArray x = d.getFeatures().reshape(d.numExamples(), SIZE, SIZE, 1);
            out.add(new DataSet(x, d.getLabels()));
        }
        return out;
    }

    @Test
    void networkFromKerasImport() throws Exception {
        MultiLayerConfiguration conf = new KerasSequentialModel().modelBuilder().modelJson(KERAS_MODEL)
                .trainingJson(KERAS_TRAINING).enforceTrainingConfig(true).buildSequential()
                .getMultiLayerConfiguration();
        // the import gives every layer a no-op Dropout(1.0) (keep everything), whose backward pass fails for NHWC
        // convolutions in DL4J M2.1 ("Output array did not match expected shape"): remove it to train the network
        for (NeuralNetConfiguration layer : conf.getConfs()) {
            IDropout d = layer.getLayer().getIDropout();
            assertTrue(d == null || d instanceof Dropout && ((Dropout) d).getP() == 1.0, String.valueOf(d));
            layer.getLayer().setIDropout(null);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        ConvolutionLayer kerasConv = (ConvolutionLayer) net.getLayer(0).conf().getLayer();
        assertEquals(CNN2DFormat.NHWC, kerasConv.getCnn2dDataFormat(), "channels_last is imported as NHWC");
        List<DataSet> data = nhwcImages(4, 21);
        ConvertNets.train(net, data, 3);

        for (Sharing sharing : List.of(Sharing.LAYER, Sharing.CHANNEL)) {
            Conversion<MultiLayerNetwork> c = RationalConverter.builder().sharing(sharing)
                    .calibration(ConvertNets.iterator(data)).build().convert(net);
            ConversionReport r = ConversionFidelityTest.checkFidelity(net, c.network(), c.report(), data);
            assertEquals(List.of("conv", "hidden"), ConversionFidelityTest.names(r), r.toString());
            RationalActivationLayer after = (RationalActivationLayer) c.network().getLayer(1).conf().getLayer();
            assertEquals("conv_rational", after.getLayerName());
            assertEquals(CNN2DFormat.NHWC, after.getCnn2dDataFormat(), "the rational reads the channels-last layout");
            if (sharing == Sharing.CHANNEL) {
                assertEquals(4, c.network().getLayer(1).getParam("numerator").size(0), "one set per channel");
            }
            assertTrue(Double.isFinite(r.outputBound()), r.toString());
            // the converted network trains on
            c.network().fit(ConvertNets.iterator(data));
            assertTrue(Double.isFinite(c.network().score()));
        }
    }

    @Test
    void resnetStyleGraph() {
        List<DataSet> data = ConvertNets.images(4, 16, 22, DataType.FLOAT, SIZE);
        ComputationGraph g = ConvertNets.resnetStyle(DataType.FLOAT, ConvertNets.adam(), SIZE, true);
        ConvertNets.train(g, data, 3);
        Conversion<ComputationGraph> c = RationalConverter.builder().calibration(ConvertNets.iterator(data)).build()
                .convert(g);
        ConversionReport r = ConversionFidelityTest.checkFidelity(g, c.network(), c.report(), data);
        // every ReLU ActivationLayer is replaced in place (same name, same place in the graph); the sigmoid that batch
        // normalization and dropout carry in their configuration is not applied by DL4J, so it is not replaced
        assertEquals(Set.of("stem_relu", "c2a_relu", "c2b_relu", "out2", "i2a_relu", "i2b_relu", "out3"),
                Set.copyOf(ConversionFidelityTest.names(r)), r.toString());
        assertTrue(c.network().getLayer("out2").conf().getLayer() instanceof RationalActivationLayer);
        assertEquals(List.of("i2c_bn", "out2"), c.network().getConfiguration().getVertexInputs().get("add3"));
        assertTrue(Double.isFinite(r.outputBound()), r.toString());
        assertEquals("sigmoid", String.valueOf(((BatchNormalization) g.getLayer("stem_bn").conf().getLayer())
                .getActivationFn()), "the configuration does carry the inherited default");
        assertTrue(r.notConvertible().isEmpty(), r.toString());
    }
}
