package org.rationalnn.samples.harness;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.HashMap;
import java.util.Map;

/** Learning-rate schedules shared by the samples. */
public final class Schedules {
    private Schedules() {
    }

    /**
     * A learning rate that falls linearly from {@code learningRate} to {@code endFraction × learningRate} over
     * {@code iterations}, in at most 100 constant pieces. It is DL4J's {@code MapSchedule}, so configurations using
     * it serialize; DL4J M2.1's {@code PolySchedule} grows instead of decaying.
     */
    public static ISchedule linearDecay(double learningRate, long iterations, double endFraction) {
        Map<Integer, Double> values = new HashMap<>();
        int pieces = (int) Math.max(1, Math.min(100, iterations));
        for (int k = 0; k < pieces; k++) {
            values.put((int) (k * iterations / pieces), learningRate * (1.0 - (1.0 - endFraction) * k / pieces));
        }
        return new MapSchedule(ScheduleType.ITERATION, values);
    }
}
