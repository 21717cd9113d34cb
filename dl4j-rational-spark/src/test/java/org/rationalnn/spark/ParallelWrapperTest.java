package org.rationalnn.spark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ParallelWrapperTest {

    @Test
    void twoWorkersTrainRationalLayers() {
        ParallelWrapperSample.Options o = new ParallelWrapperSample.Options();
        o.epochs = 4;
        o.batches = 24;
        o.batchSize = 16;
        ParallelWrapperSample.Result r = ParallelWrapperSample.run(o);
        assertTrue(r.scores.get(r.scores.size() - 1) < r.scores.get(0), "score falls: " + r.scores);
        assertTrue(r.coefficientChange > 1e-4, "rational coefficients are trained: " + r.coefficientChange);
    }
}
