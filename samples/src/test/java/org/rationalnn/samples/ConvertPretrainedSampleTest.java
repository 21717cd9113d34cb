package org.rationalnn.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rationalnn.dl4j.convert.ReplacedActivation;
import org.rationalnn.dl4j.pau.PauLayers;
import org.rationalnn.samples.fashion.FashionMnist;
import org.rationalnn.samples.fashion.RealData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvertPretrainedSampleTest {
    @TempDir
    Path out;

    private ConvertPretrainedSample.Options tiny() {
        ConvertPretrainedSample.Options o = new ConvertPretrainedSample.Options();
        o.out = out;
        o.pretrainEpochs = 1;
        o.rationalEpochs = 1;
        o.allEpochs = 1;
        o.batch = 50;
        o.channels = List.of(4, 8);
        o.dense = 16;
        o.calibrationBatches = 4;
        return o;
    }

    @Test
    void everyStageOnGeneratedImages() throws IOException {
        ConvertPretrainedSample.Options o = tiny();
        o.synthetic = 400;
        o.pretrainEpochs = 2;
        o.batch = 20;
        ConvertPretrainedSample.Result r = ConvertPretrainedSample.run(o);
        checkRun(r);
        assertTrue(r.synthetic());
        assertEquals(400, r.trainExamples());
    }

    @Test
    void everyStageOnFashionMnist() throws IOException {
        RealData.assumeAvailable();
        ConvertPretrainedSample.Options o = tiny();
        o.trainLimit = 1000;
        o.testLimit = 500;
        ConvertPretrainedSample.Result r = ConvertPretrainedSample.run(o);
        checkRun(r);
        assertTrue(r.reluAccuracy() > 0.4, "one epoch on 1,000 images: " + r.reluAccuracy());
    }

    private void checkRun(ConvertPretrainedSample.Result r) throws IOException {
        assertEquals(List.of("conv1", "conv2", "dense"), r.conversion().replaced().stream()
                .map(ReplacedActivation::layerName).collect(Collectors.toList()));
        assertTrue(r.conversion().measuredWithinBound(), r.conversion().toString());
        // the converted network predicts (nearly) what the ReLU network predicts
        assertTrue(r.agreement() >= 0.95, "agreement " + r.agreement());
        assertTrue(Math.abs(r.convertedAccuracy() - r.reluAccuracy()) <= 0.03,
                r.reluAccuracy() + " vs " + r.convertedAccuracy());
        for (double a : new double[]{r.rationalsAccuracy(), r.allAccuracy(), r.baselineAccuracy()}) {
            assertTrue(a > 1.5 / 10, "better than chance: " + a);
        }
        assertEquals(List.of("conv1_rational", "conv2_rational", "dense_rational"), List.copyOf(r.learned().keySet()));
        // the rationals moved away from their ReLU fits
        ReplacedActivation conv1 = r.conversion().replaced().get(0);
        assertTrue(!conv1.function().equals(r.learned().get("conv1_rational")));
        assertTrue(r.monitor().size() >= 3, "the monitor reported during fine-tuning");
        for (String f : List.of("report.md", "accuracy.csv", "shapes.png", "rationals.png", "pau_layers.json",
                "rationals_config.json")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        assertEquals(3, PauLayers.read(out.resolve("pau_layers.json")).layers().size());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("converted, before training") && report.contains("output bound"), report);
    }

    @Test
    void missingDataSaysHowToInstallIt(@TempDir Path empty) {
        ConvertPretrainedSample.Options o = tiny();
        o.data = empty;
        FashionMnist.MissingDataException e = assertThrows(FashionMnist.MissingDataException.class,
                () -> ConvertPretrainedSample.run(o));
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }
}
