package org.rationalnn.samples.lm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CharCorpusTest {
    @TempDir
    Path dir;

    @Test
    void splitsEveryFileAndReadsLinkedFilesOnce() throws IOException {
        Files.writeString(dir.resolve("a.txt"), "aaaaaaaaab");
        Files.writeString(dir.resolve("b.txt"), "cccccccccd");
        Files.createSymbolicLink(dir.resolve("c-link.txt"), dir.resolve("b.txt"));
        CharCorpus c = CharCorpus.load(List.of(dir), 0.1);
        assertEquals("aaaaaaaaaccccccccc", c.train());
        assertEquals("bd", c.validation());
        assertEquals(2, c.files().size());
        assertEquals(4, c.vocabularySize());
        assertEquals('a', c.character(0));
        assertEquals(3, c.indexOf('d'));
        assertEquals(-1, c.indexOf('z'));
    }

    @Test
    void windowsAreOneHotWithPositionsAndLabelsShiftedByOne() {
        CharCorpus c = CharCorpus.of("abcabcabcab", "cba");
        DataSet d = c.windows(c.train(), new int[]{0, 4}, 3, 4);
        INDArray x = d.getFeatures();
        INDArray y = d.getLabels();
        assertArrayEquals(new long[]{2, 3 + 4, 3}, x.shape());
        assertArrayEquals(new long[]{2, 3, 3}, y.shape());
        // window 1 starts at "bca": input b,c,a -> labels c,a,b
        int[] in = {1, 2, 0};
        int[] next = {2, 0, 1};
        for (int t = 0; t < 3; t++) {
            for (int v = 0; v < 3; v++) {
                assertEquals(v == in[t] ? 1.0 : 0.0, x.getDouble(1, v, t));
                assertEquals(v == next[t] ? 1.0 : 0.0, y.getDouble(1, v, t));
            }
            double freq1 = Math.pow(10000, -2.0 / 4);
            assertEquals(Math.sin(t), x.getDouble(1, 3, t), 1e-6);
            assertEquals(Math.cos(t), x.getDouble(1, 4, t), 1e-6);
            assertEquals(Math.sin(t * freq1), x.getDouble(1, 5, t), 1e-6);
            assertEquals(Math.cos(t * freq1), x.getDouble(1, 6, t), 1e-6);
        }
        assertEquals(x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).reshape(1, 7, 3),
                c.context("bca", 4));
    }

    @Test
    void validationBatchesCoverConsecutiveWindows() {
        CharCorpus c = CharCorpus.of("abcdefgh", "abcdefghabcdefgh");
        List<DataSet> b = c.validationBatches(2, 4, 0, 0);
        // 15 predictable characters -> 3 whole windows of 4, in minibatches of 2 and 1
        assertEquals(2, b.size());
        assertEquals(2, b.get(0).numExamples());
        assertEquals(1, b.get(1).numExamples());
        assertEquals(1.0, b.get(1).getFeatures().getDouble(0, c.indexOf('a'), 0));
        assertEquals(1, c.validationBatches(2, 4, 0, 4).get(0).numExamples());
        DataSet r = c.randomTrainingBatch(new Random(1), 5, 4, 2);
        assertArrayEquals(new long[]{5, c.vocabularySize() + 2, 4}, r.getFeatures().shape());
        assertEquals(5 * 4, r.getLabels().sumNumber().intValue());
    }

    @Test
    void badInputIsAClearError() throws IOException {
        Path bad = dir.resolve("latin1.txt");
        Files.write(bad, "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CharCorpus.load(List.of(bad), 0.1));
        assertTrue(e.getMessage().contains("latin1.txt") && e.getMessage().contains("UTF-8"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> CharCorpus.load(List.of(dir.resolve("nope")), 0.1));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("does not exist"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> CharCorpus.load(List.of(bad), 0.7));
        assertTrue(e.getMessage().contains("(0, 0.5]") && e.getMessage().contains("0.7"), e.getMessage());

        CharCorpus c = CharCorpus.of("abcdef", "abc");
        e = assertThrows(IllegalArgumentException.class, () -> c.requireWindow(3));
        assertTrue(e.getMessage().contains("context length 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.context("abz", 0));
        assertTrue(e.getMessage().contains("'z'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.windows("ab", new int[]{0}, 1, 3));
        assertTrue(e.getMessage().contains("even") && e.getMessage().contains("3"), e.getMessage());
    }
}
