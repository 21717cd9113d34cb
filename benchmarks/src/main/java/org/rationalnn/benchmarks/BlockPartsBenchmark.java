package org.rationalnn.benchmarks;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@link RationalTransformerBlock} layer alone (no network around it, no updater): its training forward pass
 * and backward pass on a char-LM-shaped input [mb, d, T], timed separately, and the matrix products of the step
 * at the same sizes as the yardstick of what the BLAS alone costs. Interleaved rounds, median and minimum; no
 * workspaces (DL4J's {@code LayerWorkspaceMgr.noWorkspaces()}). A profiling aid, not a goal measurement.
 */
@Command(name = "block-parts", mixinStandardHelpOptions = true,
        description = "Forward and backward time of one RationalTransformerBlock, and the BLAS products alone.")
public final class BlockPartsBenchmark implements Runnable {

    @Option(names = "--variants", split = ",", description = "see CharLmStepBenchmark (default: ${DEFAULT-VALUE})")
    List<String> variants = new ArrayList<>(List.of("gelu", "swiglu", "rational-glu", "rational-glu-attn"));
    @Option(names = "--execution", description = "native or samediff (default: ${DEFAULT-VALUE})")
    String execution = "native";
    @Option(names = "--d-model", description = "(default: ${DEFAULT-VALUE})")
    int dModel = 64;
    @Option(names = "--context", description = "(default: ${DEFAULT-VALUE})")
    int context = 64;
    @Option(names = "--batch", description = "(default: ${DEFAULT-VALUE})")
    int batch = 32;
    @Option(names = "--heads", description = "(default: ${DEFAULT-VALUE})")
    int heads = 4;
    @Option(names = "--warmup", description = "(default: ${DEFAULT-VALUE})")
    int warmup = 20;
    @Option(names = "--steps", description = "(default: ${DEFAULT-VALUE})")
    int steps = 50;

    @Option(names = "--nd4j-threads", description = "threads of ND4J's own ops (element-wise, reductions; not "
            + "BLAS), 0 = ND4J's default (default: ${DEFAULT-VALUE})")
    int nd4jThreads;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BlockPartsBenchmark()).execute(args));
    }

    @Override
    public void run() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Bench.nd4jThreads(nd4jThreads);
        System.out.println(Bench.environment());
        CharLmStepBenchmark shapes = new CharLmStepBenchmark();
        shapes.dModel = dModel;
        shapes.heads = heads;
        Map<String, Runnable> work = new LinkedHashMap<>();
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, dModel, context);
        INDArray eps = Nd4j.randn(DataType.FLOAT, batch, dModel, context);
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        for (String v : variants) {
            Object[] k = CharLmStepBenchmark.kind(v);
            RationalTransformerBlock.FeedForward ff = (RationalTransformerBlock.FeedForward) k[0];
            RationalTransformerBlock.Builder b = new RationalTransformerBlock.Builder().dModel(dModel).heads(heads)
                    .hidden(shapes.hidden(ff)).causal(true).feedForward(ff)
                    .attention((RationalTransformerBlock.Attention) k[1]);
            Bench.execution(b, execution);
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                    .updater(new Adam(1e-3)).list().layer(b.build())
                    .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(dModel)
                            .activation(Activation.IDENTITY).build())
                    .setInputType(InputType.recurrent(dModel, RNNFormat.NCW)).build());
            net.init();
            Layer l = net.getLayer(0);
            work.put(v + " forward", () -> l.activate(x, true, ws));
            work.put(v + " forward+backward", () -> {
                l.activate(x, true, ws);
                l.backpropGradient(eps, ws);
            });
        }
        long n = (long) batch * context;
        long hidden = shapes.hidden(RationalTransformerBlock.FeedForward.GELU);
        INDArray a = Nd4j.randn(DataType.FLOAT, n, dModel);
        INDArray w = Nd4j.randn(DataType.FLOAT, dModel, hidden);
        INDArray h = Nd4j.create(DataType.FLOAT, n, hidden);
        INDArray w4 = Nd4j.randn(DataType.FLOAT, dModel, 4 * dModel);
        INDArray o4 = Nd4j.create(DataType.FLOAT, n, 4 * dModel);
        work.put("gemm [N,d]x[d,4d] (all 4 projections' flops)", () -> Nd4j.gemm(a, w4, o4, false, false, 1, 0));
        work.put("gemm [N,d]x[d,H] + [N,H]x[H,d] (FFN flops)", () -> {
            Nd4j.gemm(a, w, h, false, false, 1, 0);
            Nd4j.gemm(h, w, a, false, true, 1, 0);
        });
        // the weights as DL4J holds them: views into the flattened parameter vector
        INDArray flat = Nd4j.randn(DataType.FLOAT, 1, 10 + dModel * hidden);
        INDArray wView = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 10 + dModel * hidden)).reshape('c', dModel, hidden);
        INDArray bias = Nd4j.randn(DataType.FLOAT, 1, hidden);
        INDArray r1 = Nd4j.randn(DataType.FLOAT, n, dModel);
        INDArray r2 = Nd4j.create(DataType.FLOAT, n, dModel);
        work.put("gemm [N,d]x[d,H], W a view of the flat parameters", () -> Nd4j.gemm(a, wView, h, false, false, 1,
                0));
        work.put("gemm [N,d]x[d,H], W its own array", () -> Nd4j.gemm(a, w, h, false, false, 1, 0));
        work.put("gemm aT dH -> [d,H] into a view", () -> Nd4j.gemm(a, h, wView, true, false, 1, 0));
        work.put("addiRowVector [N,H]", () -> h.addiRowVector(bias));
        work.put("add [N,d] + [N,d] into a third", () -> r1.add(a, r2));
        work.put("muli scalar [N,H]", () -> h.muli(1.0001));
        for (int i = 0; i < warmup; i++) {
            work.values().forEach(Runnable::run);
        }
        Map<String, double[]> times = new LinkedHashMap<>();
        work.keySet().forEach(key -> times.put(key, new double[steps]));
        for (int s = 0; s < steps; s++) {
            for (Map.Entry<String, Runnable> e : work.entrySet()) {
                long t0 = System.nanoTime();
                e.getValue().run();
                times.get(e.getKey())[s] = (System.nanoTime() - t0) / 1e6;
            }
        }
        System.out.printf(Locale.ROOT, "one block, %s execution: mb %d, d %d, T %d, %d heads%n", execution, batch,
                dModel, context, heads);
        System.out.println(Bench.table(times, times.keySet().iterator().next()));
        System.out.println(Bench.loadLine());
    }
}
