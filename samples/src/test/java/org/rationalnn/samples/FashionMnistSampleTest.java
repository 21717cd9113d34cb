package org.rationalnn.samples;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rationalnn.samples.FashionMnistSample.Act;
import org.rationalnn.samples.FashionMnistSample.ModelKind;
import org.rationalnn.samples.FashionMnistSample.Result;
import org.rationalnn.samples.fashion.FashionMnist;
import org.rationalnn.samples.fashion.RealData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FashionMnistSampleTest {
    @TempDir
    Path out;

    @Test
    void tinyRunTrainsEveryModelAndWritesTheReport() throws IOException {
        RealData.assumeAvailable();
        FashionMnistSample.Options o = new FashionMnistSample.Options();
        o.out = out;
        o.activations = List.of("relu", "rational-layer", "rational-channel");
        o.trainLimit = 2000;
        o.testLimit = 1000;
        o.mlpEpochs = 2;
        o.cnnEpochs = 2;
        o.cnnChannels = List.of(8, 16);
        Result r = FashionMnistSample.run(o);

        assertEquals(2000, r.trainExamples);
        assertEquals(1000, r.testExamples);
        assertEquals(6, r.runs.size());
        for (FashionMnistSample.Run run : r.runs) {
            // 10 classes: chance is 0.1; a couple of epochs on 2,000 examples reach about 0.7
            assertTrue(run.testAccuracy() > 0.55, run.model + " " + run.activation + ": " + run.testAccuracy());
            assertEquals(o.epochs(run.model), run.epochs.size());
            assertTrue(run.secondsPerEpoch() > 0);
            assertEquals(run.activation.isRational(), !run.shapes.isEmpty());
        }
        // the learned coefficients moved away from the initial LeakyReLU fit
        FashionMnistSample.Shape s = r.runs(ModelKind.MLP, Act.RATIONAL_LAYER).get(0).shapes.get(0);
        assertFalse(s.learned.get(0).equals(s.initial));
        assertEquals(256, r.runs(ModelKind.MLP, Act.RATIONAL_CHANNEL).get(0).shapes.get(0).learned.size());

        for (String f : List.of("report.md", "accuracy.csv", "learning-curves.csv", "learning-curves.png",
                "activation-shapes.png")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        assertEquals(1 + 3 * 2 + 3 * 2, Files.readAllLines(out.resolve("learning-curves.csv")).size());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("0.883") && report.contains("0.925"), report);
    }

    @Test
    void modelsAreIdenticalExceptForTheActivation() {
        FashionMnistSample.Options o = new FashionMnistSample.Options();
        long relu = FashionMnistSample.model(ModelKind.CNN, Act.RELU, 1, 100, o).numParams();
        assertTrue(relu < 100_000, "CNN parameters: " + relu);
        assertEquals(relu, FashionMnistSample.model(ModelKind.CNN, Act.GELU, 1, 100, o).numParams());
        // rational (5,4): 10 coefficients per set; one set per layer, or one per channel (16 + 32)
        assertEquals(relu + 2 * 10, FashionMnistSample.model(ModelKind.CNN, Act.RATIONAL_LAYER, 1, 100, o)
                .numParams());
        assertEquals(relu + (16 + 32) * 10, FashionMnistSample.model(ModelKind.CNN, Act.RATIONAL_CHANNEL, 1, 100, o)
                .numParams());
        MultiLayerNetwork mlp = FashionMnistSample.model(ModelKind.MLP, Act.SILU, 1, 100, o);
        assertEquals(784 * 256 + 256 + 256 * 128 + 128 + 128 * 100 + 100 + 100 * 10 + 10, mlp.numParams());
        // same seed, same weights: the first layer's initial weights do not depend on the activation
        assertEquals(mlp.getLayer(0).getParam("W"),
                FashionMnistSample.model(ModelKind.MLP, Act.RATIONAL_CHANNEL, 1, 100, o).getLayer(0).getParam("W"));
    }

    @Test
    void missingDataGivesTheInstallCommand(@TempDir Path empty) {
        FashionMnistSample.Options o = new FashionMnistSample.Options();
        o.data = empty;
        FashionMnist.MissingDataException e = assertThrows(FashionMnist.MissingDataException.class,
                () -> FashionMnistSample.run(o));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void uiWithoutTheUiProfileSaysHowToGetIt() {
        FashionMnistSample.Options o = new FashionMnistSample.Options();
        o.ui = true;
        if (org.rationalnn.samples.fashion.TrainingUi.available()) {
            return; // built with -Pui
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FashionMnistSample.run(o));
        assertTrue(e.getMessage().contains("-Pui"), e.getMessage());
    }
}
