package org.rationalnn.spark;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic nonlinear 3-class problem in 2-D (three interleaved spirals) generated in memory, so the
 * distributed samples and tests need no download.
 */
public final class SyntheticData {

    public static final int FEATURES = 2;
    public static final int CLASSES = 3;

    private SyntheticData() {
    }

    /** {@code batches} minibatches of {@code batchSize} examples each. */
    public static List<DataSet> spirals(int batches, int batchSize, long seed, DataType dataType) {
        Random r = new Random(seed);
        List<DataSet> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            INDArray x = Nd4j.create(dataType, batchSize, FEATURES);
            INDArray y = Nd4j.zeros(dataType, batchSize, CLASSES);
            for (int i = 0; i < batchSize; i++) {
                int c = r.nextInt(CLASSES);
                double t = r.nextDouble();
                double angle = 2 * Math.PI * c / CLASSES + 3.5 * t;
                double radius = 0.1 + 0.9 * t;
                x.putScalar(i, 0, radius * Math.cos(angle) + 0.03 * r.nextGaussian());
                x.putScalar(i, 1, radius * Math.sin(angle) + 0.03 * r.nextGaussian());
                y.putScalar(i, c, 1.0);
            }
            out.add(new DataSet(x, y));
        }
        return out;
    }
}
