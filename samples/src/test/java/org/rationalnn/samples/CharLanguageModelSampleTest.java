package org.rationalnn.samples;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.rationalnn.samples.CharLanguageModelSample.Options;
import org.rationalnn.samples.CharLanguageModelSample.Point;
import org.rationalnn.samples.CharLanguageModelSample.Result;
import org.rationalnn.samples.CharLanguageModelSample.Run;
import org.rationalnn.samples.CharLanguageModelSample.Variant;
import org.rationalnn.samples.lm.CharCorpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The character-level language model with tiny limits (the project's own LICENSE as text, d = 16, one block, 60 steps
 * per variant): about half a minute.
 */
class CharLanguageModelSampleTest {
    @TempDir
    static Path out;
    static Options options;
    static Result result;

    static Options tiny() {
        Options o = new Options();
        o.text = List.of(Paths.get("..", "LICENSE"));
        o.steps = 60;
        o.evalEvery = 20;
        o.batch = 8;
        o.context = 32;
        o.dModel = 16;
        o.heads = 2;
        o.layers = 1;
        o.validationChars = 1024;
        o.generate = 25;
        return o;
    }

    @BeforeAll
    static void runTiny() {
        options = tiny();
        options.out = out;
        result = CharLanguageModelSample.run(options);
    }

    @Test
    void everyVariantLearnsWithTheSameParameterBudget() {
        assertEquals(List.of(Variant.GELU, Variant.SWIGLU, Variant.RATIONAL_GLU, Variant.RATIONAL_GLU_ATTENTION),
                result.runs.stream().map(r -> r.variant).collect(java.util.stream.Collectors.toList()));
        long gelu = result.run(Variant.GELU).parameters;
        for (Run r : result.runs) {
            assertTrue(Math.abs(r.parameters - gelu) <= 0.01 * gelu, r.variant + ": " + r.parameters + " vs " + gelu);
            assertEquals(List.of(0, 20, 40, 60), r.curve.stream().map(p -> p.step)
                    .collect(java.util.stream.Collectors.toList()));
            Point first = r.curve.get(0);
            // an untrained model is about as bad as guessing uniformly (log2 V bits); 60 small steps take it
            // below that and well below where it started (measured: about 7.0 -> 4.4 bits)
            double uniform = Math.log(result.vocabularySize) / Math.log(2);
            assertTrue(r.finalValidationBpc() < first.validationBpc - 1.0, r.variant + ": " + first.validationBpc
                    + " -> " + r.finalValidationBpc());
            assertTrue(r.finalValidationBpc() < uniform - 0.5, r.variant + ": " + r.finalValidationBpc());
            assertTrue(r.secondsPerStep() > 0);
        }
        // the rational-gated variant's gate differs from SwiGLU's only by its two sets of rational coefficients
        assertEquals(result.run(Variant.SWIGLU).parameters + options.layers * 10L,
                result.run(Variant.RATIONAL_GLU).parameters);
        assertEquals(result.run(Variant.RATIONAL_GLU).hidden, result.run(Variant.SWIGLU).hidden);
        Run best = result.runs.stream().min(Comparator.comparingDouble(Run::finalValidationBpc)).orElseThrow();
        assertEquals(best.variant, result.best);
    }

    @Test
    void validationBitsAgreeWithTheLossLayer() throws IOException {
        CharCorpus corpus = CharCorpus.load(options.text, 0.1);
        List<DataSet> batches = corpus.validationBatches(4, options.context, options.positions, 128);
        assertEquals(1, batches.size());
        MultiLayerNetwork net = result.run(Variant.RATIONAL_GLU).network();
        double bpc = CharLanguageModelSample.validationBpc(net, batches);
        // DL4J's MCXENT score of an RnnOutputLayer: summed over time, averaged over the minibatch, in nats
        double fromScore = net.score(batches.get(0)) / options.context / Math.log(2);
        assertEquals(fromScore, bpc, 1e-3 * fromScore);
    }

    @Test
    void generatesTextAndWritesTheOutputs() throws IOException {
        assertEquals(25, result.generated.length());
        CharCorpus corpus = CharCorpus.load(options.text, 0.1);
        for (char c : result.generated.toCharArray()) {
            assertTrue(corpus.indexOf(c) >= 0, "generated character outside the vocabulary: " + (int) c);
        }
        assertTrue(corpus.validation().startsWith(result.prompt));
        for (String f : List.of("results.csv", "learning-curves.csv", "learning-curves.png", "report.md",
                "generated.txt")) {
            assertTrue(Files.size(out.resolve(f)) > 30, f);
        }
        assertEquals(1 + 4 * 4, Files.readAllLines(out.resolve("learning-curves.csv")).size());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("rational-glu-attn") && report.contains(result.generated), report);
    }

    @Test
    void severalSeedsAreAveraged(@TempDir Path dir) throws IOException {
        Options o = tiny();
        o.out = dir;
        o.variants = List.of("gelu", "rational-glu");
        o.seeds = 2;
        o.steps = 20;
        o.generate = 0;
        Result r = CharLanguageModelSample.run(o);
        assertEquals(4, r.runs.size());
        for (Variant v : List.of(Variant.GELU, Variant.RATIONAL_GLU)) {
            List<Run> runs = r.runs(v);
            assertEquals(List.of(42L, 43L), runs.stream().map(x -> x.seed).collect(java.util.stream.Collectors.toList()));
            double a = runs.get(0).finalValidationBpc();
            double b = runs.get(1).finalValidationBpc();
            assertTrue(a != b, "different seeds, different models");
            assertEquals((a + b) / 2, r.meanFinalBpc(v), 1e-12);
            assertEquals(Math.abs(a - b) / Math.sqrt(2), r.spreadFinalBpc(v), 1e-12);
        }
        assertEquals(r.meanFinalBpc(Variant.GELU) <= r.meanFinalBpc(Variant.RATIONAL_GLU) ? Variant.GELU
                : Variant.RATIONAL_GLU, r.best);
        // a row per variant and seed and evaluation step
        assertEquals(1 + 2 * 2 * 2, Files.readAllLines(dir.resolve("learning-curves.csv")).size());
        assertTrue(Files.readString(dir.resolve("results.csv")).contains("rational-glu"));
    }

    @Test
    void gluWidthMatchesTheGeluBlock() {
        Options o = new Options();
        long gluHidden = CharLanguageModelSample.matchedGluHidden(o);
        long gelu = CharLanguageModelSample.blockParameters(
                org.rationalnn.dl4j.transformer.RationalTransformerBlock.FeedForward.GELU, 4L * o.dModel, o);
        long glu = CharLanguageModelSample.blockParameters(
                org.rationalnn.dl4j.transformer.RationalTransformerBlock.FeedForward.SWIGLU, gluHidden, o);
        // d = 64: GELU FFN 2*64*256 + 256 + 64; SwiGLU 3*64*H + 2H + 64 is closest at H = 170
        assertEquals(170, gluHidden);
        assertTrue(Math.abs(glu - gelu) < 3 * o.dModel, glu + " vs " + gelu);
    }

    @Test
    void badOptionsAreRejectedWithTheValue() {
        Options o = tiny();
        o.heads = 3;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CharLanguageModelSample.run(o));
        assertTrue(e.getMessage().contains("--d-model (16)") && e.getMessage().contains("--heads (3)"),
                e.getMessage());

        Options p = tiny();
        p.variants = List.of("gelu", "relu-glu");
        e = assertThrows(IllegalArgumentException.class, () -> CharLanguageModelSample.run(p));
        assertTrue(e.getMessage().contains("relu-glu"), e.getMessage());

        Options q = tiny();
        q.context = 100_000;
        e = assertThrows(IllegalArgumentException.class, () -> CharLanguageModelSample.run(q));
        assertTrue(e.getMessage().contains("context length 100000"), e.getMessage());

        Options r = tiny();
        r.text = List.of(out.resolve("no-such-file.txt"));
        e = assertThrows(IllegalArgumentException.class, () -> CharLanguageModelSample.run(r));
        assertTrue(e.getMessage().contains("no-such-file.txt") && e.getMessage().contains("does not exist"),
                e.getMessage());
    }
}
