package org.rationalnn.benchmarks;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Attention;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.FeedForward;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The training step (forward, backward, Adam update) of the char-LM sample's model, timed in a plain interleaved
 * loop: one-hot characters (vocabulary 86) plus 16 sinusoidal position features → a bias-free linear
 * {@code DenseLayer} to d → N causal pre-norm {@link RationalTransformerBlock}s → softmax over the characters
 * ({@code RnnOutputLayer}, cross-entropy), minibatch of mb windows of T characters, Adam (lr 3e-3), gradient clipping
 * (L2 per layer, 1.0), float32, NCW. The same model as {@code benchmarks/pytorch/char_lm_step.py}.
 *
 * <p>Variants (the feed-forward kind and attention of the blocks): {@code gelu} (hidden 4d), {@code swiglu},
 * {@code rational-glu}, {@code rational-glu-attn} (rational attention), {@code geglu}, {@code rational} (KAT); the
 * GLU kinds get the hidden width whose block parameter count is closest to the GELU block's (170 for d 64, as in the
 * sample). Each variant can run with either execution of the block ({@code --executions native,samediff}).
 *
 * <p>Every network is warmed up, then all are timed in interleaved rounds (one step of each per round), so a change
 * of machine load affects all alike; the median and minimum step times and the ratios to the first network are
 * printed. Not a test: no timing is asserted anywhere.
 *
 * <p>Run (from the repository root): {@code mvn -B -q -pl benchmarks -am package -DskipTests && java --add-modules
 * jdk.incubator.vector -cp "benchmarks/target/benchmarks.jar" org.rationalnn.benchmarks.CharLmStepBenchmark}; see
 * {@code docs/benchmarks.md} for the exact commands of each table.
 */
@Command(name = "char-lm-step", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Training-step time of the char-LM transformer with RationalTransformerBlock.")
public final class CharLmStepBenchmark implements Runnable {

    @Option(names = "--variants", split = ",", description = "gelu, swiglu, geglu, rational-glu, rational-glu-attn, "
            + "rational (default: ${DEFAULT-VALUE})")
    List<String> variants = new ArrayList<>(List.of("gelu", "swiglu", "rational-glu", "rational-glu-attn"));
    @Option(names = "--executions", split = ",", description = "block executions: native, samediff "
            + "(default: ${DEFAULT-VALUE})")
    List<String> executions = new ArrayList<>(List.of("native"));
    @Option(names = "--d-model", description = "model width d (default: ${DEFAULT-VALUE})")
    int dModel = 64;
    @Option(names = "--context", description = "context length T (default: ${DEFAULT-VALUE})")
    int context = 64;
    @Option(names = "--batch", description = "windows per minibatch (default: ${DEFAULT-VALUE})")
    int batch = 32;
    @Option(names = "--heads", description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads = 4;
    @Option(names = "--layers", description = "transformer blocks (default: ${DEFAULT-VALUE})")
    int layers = 2;
    @Option(names = "--vocabulary", description = "characters (default: ${DEFAULT-VALUE})")
    int vocabulary = 86;
    @Option(names = "--positions", description = "sinusoidal position features (default: ${DEFAULT-VALUE})")
    int positions = 16;
    @Option(names = "--format", description = "layout of the whole network: NCW (the sample's, [mb, features, T]) or "
            + "NWC ([mb, T, features], where DL4J's preprocessors need no transposes) (default: ${DEFAULT-VALUE})")
    RNNFormat format = RNNFormat.NCW;
    @Option(names = "--warmup", description = "untimed steps per network first (default: ${DEFAULT-VALUE})")
    int warmup = 10;
    @Option(names = "--steps", description = "timed steps per network (default: ${DEFAULT-VALUE})")
    int steps = 30;
    @Option(names = "--seed", description = "seed (default: ${DEFAULT-VALUE})")
    long seed = 42;
    @Option(names = "--count-ops", description = "also count ND4J op invocations per step (ND4J's OpProfiler, 3 "
            + "steps after the timing) and, for SAMEDIFF blocks, time every SameDiff op by type")
    boolean countOps;

    @Option(names = "--nd4j-threads", description = "threads of ND4J's own ops (element-wise, reductions; not "
            + "BLAS), 0 = ND4J's default (default: ${DEFAULT-VALUE})")
    int nd4jThreads;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CharLmStepBenchmark()).execute(args));
    }

    @Override
    public void run() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Bench.nd4jThreads(nd4jThreads);
        System.out.println(Bench.environment());
        System.out.printf(Locale.ROOT, "char-LM step: d %d, T %d, mb %d, %d heads, %d blocks, vocabulary %d + %d "
                        + "positions, %s; %d warm-up and %d timed steps per network, interleaved%n", dModel, context,
                batch, heads, layers, vocabulary, positions, format, warmup, steps);
        DataSet ds = batch(new Random(seed));
        Map<String, MultiLayerNetwork> nets = new LinkedHashMap<>();
        for (String v : variants) {
            for (String e : executions) {
                String name = v + (executions.size() > 1 ? "/" + e : "");
                MultiLayerNetwork net = model(v, e);
                for (int i = 0; i < warmup; i++) {
                    net.fit(ds);
                }
                nets.put(name, net);
            }
        }
        Map<String, double[]> times = new LinkedHashMap<>();
        nets.keySet().forEach(n -> times.put(n, new double[steps]));
        for (int s = 0; s < steps; s++) {
            for (Map.Entry<String, MultiLayerNetwork> e : nets.entrySet()) {
                long t0 = System.nanoTime();
                e.getValue().fit(ds);
                times.get(e.getKey())[s] = (System.nanoTime() - t0) / 1e6;
            }
        }
        System.out.println(Bench.table(times, nets.keySet().iterator().next()));
        for (Map.Entry<String, double[]> e : times.entrySet()) {
            System.out.printf(Locale.ROOT, "RESULT\t%s\t%.3f\t%.3f%n", e.getKey(), Bench.median(e.getValue()),
                    Bench.min(e.getValue()));
        }
        System.out.println(Bench.loadLine());
        if (countOps) {
            for (Map.Entry<String, MultiLayerNetwork> e : nets.entrySet()) {
                System.out.println(OpCounts.of(e.getKey(), e.getValue(), ds, 3));
            }
        }
    }

    /** The feed-forward kind and attention of a variant name. */
    static Object[] kind(String variant) {
        switch (variant.trim().toLowerCase(Locale.ROOT)) {
            case "gelu":
                return new Object[]{FeedForward.GELU, Attention.SOFTMAX};
            case "swiglu":
                return new Object[]{FeedForward.SWIGLU, Attention.SOFTMAX};
            case "geglu":
                return new Object[]{FeedForward.GEGLU, Attention.SOFTMAX};
            case "rational-glu":
                return new Object[]{FeedForward.RATIONAL_GLU, Attention.SOFTMAX};
            case "rational-glu-attn":
                return new Object[]{FeedForward.RATIONAL_GLU, Attention.RATIONAL};
            case "rational":
                return new Object[]{FeedForward.RATIONAL, Attention.SOFTMAX};
            default:
                throw new IllegalArgumentException("variant must be one of gelu, swiglu, geglu, rational-glu, "
                        + "rational-glu-attn, rational; got '" + variant + "'");
        }
    }

    /** FFN hidden width: 4d for GELU and KAT, the parameter-matched width for the GLU kinds. */
    long hidden(FeedForward ff) {
        long gelu = 4L * dModel;
        if (ff == FeedForward.GELU || ff == FeedForward.RATIONAL) {
            return gelu;
        }
        long target = blockParameters(FeedForward.GELU, gelu);
        long best = 1;
        for (long h = 1; h <= gelu; h++) {
            if (Math.abs(blockParameters(FeedForward.SWIGLU, h) - target)
                    < Math.abs(blockParameters(FeedForward.SWIGLU, best) - target)) {
                best = h;
            }
        }
        return best;
    }

    long blockParameters(FeedForward ff, long hidden) {
        return new RationalTransformerBlock.Builder().dModel(dModel).heads(heads).hidden(hidden).feedForward(ff)
                .build().parameterShapes().values().stream().mapToLong(s -> s[0] * s[1]).sum();
    }

    MultiLayerNetwork model(String variant, String execution) {
        Object[] k = kind(variant);
        FeedForward ff = (FeedForward) k[0];
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(3e-3))
                .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(1.0)
                .list()
                .layer(new DenseLayer.Builder().nOut(dModel).activation(Activation.IDENTITY).hasBias(false).build());
        for (int i = 0; i < layers; i++) {
            RationalTransformerBlock.Builder block = new RationalTransformerBlock.Builder().dModel(dModel).heads(heads)
                    .hidden(hidden(ff)).causal(true).feedForward(ff).attention((Attention) k[1]);
            Bench.execution(block, execution);
            b.layer(block.build());
        }
        b.layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(vocabulary)
                .activation(Activation.SOFTMAX).dataFormat(format).build());
        b.setInputType(InputType.recurrent(vocabulary + positions, format));
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        return net;
    }

    /** Random characters as one-hot features plus sinusoidal positions [mb, V + P, T], next-character labels. */
    DataSet batch(Random r) {
        int f = vocabulary + positions;
        float[] x = new float[batch * f * context];
        float[] y = new float[batch * vocabulary * context];
        for (int b = 0; b < batch; b++) {
            int[] chars = new int[context + 1];
            for (int t = 0; t <= context; t++) {
                chars[t] = r.nextInt(vocabulary);
            }
            for (int t = 0; t < context; t++) {
                x[(b * f + chars[t]) * context + t] = 1f;
                y[(b * vocabulary + chars[t + 1]) * context + t] = 1f;
                for (int i = 0; i < positions / 2; i++) {
                    double w = t / Math.pow(10000, 2.0 * i / positions);
                    x[(b * f + vocabulary + 2 * i) * context + t] = (float) Math.sin(w);
                    x[(b * f + vocabulary + 2 * i + 1) * context + t] = (float) Math.cos(w);
                }
            }
        }
        INDArray features = Nd4j.create(x, new long[]{batch, f, context}, 'c');
        INDArray labels = Nd4j.create(y, new long[]{batch, vocabulary, context}, 'c');
        if (format == RNNFormat.NWC) {
            features = features.permute(0, 2, 1).dup('c');
            labels = labels.permute(0, 2, 1).dup('c');
        }
        return new DataSet(features, labels);
    }

    @Override
    public String toString() {
        return Arrays.asList(variants, executions).toString();
    }
}
