package org.rationalnn.benchmarks;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;

import java.lang.reflect.Field;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Profiling aid of the step benchmarks: ND4J op invocations per training step (ND4J's {@link OpProfiler}, which
 * counts every op the executioner runs, SameDiff's included), and for networks with SameDiff layers the time of
 * every SameDiff op by type (a SameDiff listener on each layer's graph, reached by reflection into DL4J's runtime;
 * the gradient function runs under the same listeners). Runs after the timing, never inside it.
 */
final class OpCounts {

    private OpCounts() {
    }

    static String of(String name, MultiLayerNetwork net, DataSet ds, int steps) {
        StringBuilder sb = new StringBuilder();
        Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.OPERATIONS);
        OpProfiler.getInstance().reset();
        try {
            for (int i = 0; i < steps; i++) {
                net.fit(ds);
            }
            sb.append(String.format(Locale.ROOT, "%s: %d ND4J op invocations per training step%n", name,
                    OpProfiler.getInstance().getInvocationsCount() / steps));
        } finally {
            Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.DISABLED);
        }
        Timer timer = new Timer();
        int graphs = 0;
        for (Layer l : net.getLayers()) {
            SameDiff sd = sameDiffOf(l);
            if (sd != null) {
                sd.addListeners(timer);
                graphs++;
            }
        }
        if (graphs == 0) {
            return sb.toString();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            net.fit(ds);
        }
        double stepMs = (System.nanoTime() - t0) / 1e6 / steps;
        long count = 0;
        long nanos = 0;
        for (long[] v : timer.stats.values()) {
            count += v[0];
            nanos += v[1];
        }
        sb.append(String.format(Locale.ROOT, "%s: %d SameDiff graphs, %.0f SameDiff op executions per step taking "
                + "%.1f ms of the %.1f ms step (listener on)%n", name, graphs, count / (double) steps,
                nanos / 1e6 / steps, stepMs));
        timer.stats.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(15)
                .forEach(e -> sb.append(String.format(Locale.ROOT, "    %-20s %6.0f per step %8.2f ms/step %8.1f "
                        + "us each%n", e.getKey(), e.getValue()[0] / (double) steps, e.getValue()[1] / 1e6 / steps,
                        e.getValue()[1] / 1e3 / e.getValue()[0])));
        for (Layer l : net.getLayers()) {
            SameDiff sd = sameDiffOf(l);
            if (sd != null) {
                sd.getListeners().remove(timer);
            }
        }
        return sb.toString();
    }

    /** The SameDiff instance of a DL4J SameDiff layer runtime (null for other layers or before its first use). */
    private static SameDiff sameDiffOf(Layer l) {
        if (!(l instanceof org.deeplearning4j.nn.layers.samediff.SameDiffLayer)) {
            return null;
        }
        try {
            Field f = org.deeplearning4j.nn.layers.samediff.SameDiffLayer.class.getDeclaredField("sameDiff");
            f.setAccessible(true);
            return (SameDiff) f.get(l);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Times every op execution by op name. */
    private static final class Timer extends BaseListener {
        final Map<String, long[]> stats = new TreeMap<>();
        long start;

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
            start = System.nanoTime();
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                                INDArray[] outputs) {
            long[] s = stats.computeIfAbsent(op.getOp().opName(), k -> new long[2]);
            s[0]++;
            s[1] += System.nanoTime() - start;
        }
    }
}
