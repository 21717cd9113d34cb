package org.rationalnn.samples.expressivity;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.layers.RationalParamInitializer;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainedStudyTest {
    static TrainedStudy.Protocol protocol(int steps, int evalEvery, int patience, double tolerance) {
        return protocol(steps, evalEvery, patience, tolerance, 0);
    }

    static TrainedStudy.Protocol protocol(int steps, int evalEvery, int patience, double tolerance, int polish) {
        return new TrainedStudy.Protocol(2, new int[]{5, 4}, steps, 1, List.of(0.01), 0.5, evalEvery, patience,
                tolerance, 4, 2, 64, 8, DataType.DOUBLE, 1, polish);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = Act.class, names = {"RATIONAL", "TANH"})
    void theLbfgsPolishTakesTheLossFarBelowWhereAdamLeftIt(Act act) {
        // the same network and seed, 200 Adam steps, then with and without 300 L-BFGS iterations: the polish only
        // ever lowers the loss (Armijo steps), and on this smooth target takes it at least 10x lower
        Target peak = Target.of("peak", 0.3, 0.2);
        TrainedStudy.Run adam = TrainedStudy.train(peak, act, 60, 4, 3, 0.01, false, protocol(200, 10, 1000, 0));
        TrainedStudy.Run polished = TrainedStudy.train(peak, act, 60, 4, 3, 0.01, false,
                protocol(200, 10, 1000, 0, 300));
        assertEquals(0, adam.lbfgsIterations);
        assertTrue(polished.lbfgsIterations > 0 && polished.lbfgsIterations <= 300, "" + polished.lbfgsIterations);
        double adamLoss = adam.curve.get(adam.curve.size() - 1).loss();
        List<TrainedStudy.CurvePoint> tail = polished.curve.subList(adam.curve.size(), polished.curve.size());
        assertTrue(!tail.isEmpty() && tail.get(0).step() > 200, "L-BFGS points continue the curve");
        for (int i = 1; i < tail.size(); i++) {
            assertTrue(tail.get(i).loss() <= tail.get(i - 1).loss(), "L-BFGS loss rose at " + tail.get(i).step());
        }
        assertTrue(tail.get(tail.size() - 1).loss() < adamLoss / 10, act + ": Adam " + adamLoss + ", L-BFGS "
                + tail.get(tail.size() - 1).loss());
        assertTrue(polished.rmsError < adam.rmsError, act + ": rms " + adam.rmsError + " -> " + polished.rmsError);
    }

    @Test
    void thePeakAndTheRidgeHaveExactRationalNetworksInTheTrainedArchitecture() {
        TrainedStudy.Protocol p = protocol(10, 5, 1, 0.01);
        TrainedStudy.Exact peak = TrainedStudy.exactRepresentation(Target.of("peak", 0.05, 0.2), p);
        assertEquals(26, peak.parameters()); // width 1: 2 + 10 + 2 + 10 + 2
        assertTrue(peak.uniformError() < 1e-14, "peak: " + peak.uniformError());
        TrainedStudy.Exact ridge = TrainedStudy.exactRepresentation(Target.of("ridge", 0.05, 0.2), p);
        assertEquals(45, ridge.parameters()); // width 3: 9 + 10 + 12 + 10 + 4
        assertTrue(ridge.uniformError() < 1e-14, "ridge: " + ridge.uniformError());
        assertEquals(TrainedStudy.parameters(2, 3, Act.RATIONAL, p), ridge.parameters());
        assertNull(TrainedStudy.exactRepresentation(Target.of("abs", 0.05, 0.2), p));
    }

    @Test
    void aLearningRateDropReachesTheCoefficientsUpdaterAtTheirRatio() {
        TrainedStudy.Protocol p = protocol(10, 5, 1, 0.01);
        MultiLayerNetwork net = TrainedStudy.network(1, 4, Act.RATIONAL, 1, 0.01, p);
        TrainedStudy.setLearningRate(net, 0.001, p);
        net.fit(new DataSet(Nd4j.rand(DataType.DOUBLE, 8, 1), Nd4j.rand(DataType.DOUBLE, 8, 1)));
        int blocks = 0;
        for (UpdaterBlock b : ((MultiLayerUpdater) net.getUpdater()).getUpdaterBlocks()) {
            String param = b.getLayersAndVariablesInBlock().get(0).getParamName();
            boolean coefficient = param.equals(RationalParamInitializer.NUMERATOR_KEY)
                    || param.equals(RationalParamInitializer.DENOMINATOR_KEY);
            assertEquals(coefficient ? 0.0005 : 0.001, b.getGradientUpdater().getConfig().getLearningRate(0, 0),
                    1e-15, param);
            blocks++;
        }
        assertTrue(blocks >= 4);
    }

    @Test
    void aPlateauEndsTheTrainingAsConverged() {
        // with a coarse tolerance (an improvement of 50% per window of 10 steps counts) the loss soon counts as
        // stopped: the learning rate falls twice and the run ends long before the cap
        TrainedStudy.Protocol p = protocol(3000, 10, 1, 0.5);
        TrainedStudy.Run r = TrainedStudy.train(Target.of("peak", 1.0, 0.2), Act.TANH, 60, 5, 1, 0.01, false, p);
        assertTrue(r.converged, "steps " + r.steps);
        assertTrue(r.steps < 3000, "steps " + r.steps);
        List<Double> rates = r.curve.stream().map(TrainedStudy.CurvePoint::learningRate).distinct().toList();
        assertEquals(List.of(0.01, 0.0025, 0.000625), rates);
    }
}
