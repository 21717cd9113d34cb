package org.rationalnn.samples.fashion;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader on the real Fashion-MNIST files of Debian's {@code dataset-fashion-mnist} package (CI installs it).
 * Skipped where the files are absent, unless the environment variable {@code FASHION_MNIST_REQUIRED} is set
 * (as {@code .ci/run} does), in which case their absence fails the tests.
 */
class FashionMnistRealFilesTest {
    static FashionMnist data;

    @BeforeAll
    static void load() throws IOException {
        RealData.assumeAvailable();
        data = FashionMnist.load(Paths.get(FashionMnist.DEFAULT_DIR));
    }

    @Test
    void countsSizesAndLabelsMatchThePublishedDataSet() {
        assertEquals(FashionMnist.TRAIN_COUNT, data.train().size());
        assertEquals(FashionMnist.TEST_COUNT, data.test().size());
        int[] train = new int[10];
        Arrays.fill(train, 6000);
        int[] test = new int[10];
        Arrays.fill(test, 1000);
        assertArrayEquals(train, data.train().labelCounts());
        assertArrayEquals(test, data.test().labelCounts());
        // the first labels of each split, as published (9 = ankle boot)
        int[] firstTrain = new int[10];
        int[] firstTest = new int[10];
        for (int i = 0; i < 10; i++) {
            firstTrain[i] = data.train().label(i);
            firstTest[i] = data.test().label(i);
        }
        assertArrayEquals(new int[]{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, firstTrain);
        assertArrayEquals(new int[]{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, firstTest);
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(data.train().label(0)));
    }

    @Test
    void pixelsAreTheFilesBytes() {
        long sumTrain = 0;
        long sumTest = 0;
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                sumTrain += data.train().pixel(0, r, c);
                sumTest += data.test().pixel(0, r, c);
            }
        }
        assertEquals(76247, sumTrain); // checked independently with Python's gzip module
        assertEquals(33456, sumTest);
        DataSet ds = data.test().toDataSet(100);
        assertArrayEquals(new long[]{100, 784}, ds.getFeatures().shape());
        assertArrayEquals(new long[]{100, 10}, ds.getLabels().shape());
        assertEquals(33456 / 255.0, ds.getFeatures().getRow(0).sumNumber().doubleValue(), 1e-2);
        assertEquals(1.0, ds.getLabels().getDouble(0, 9));
        assertTrue(ds.getFeatures().maxNumber().doubleValue() <= 1.0);
    }

    @Test
    void aTruncatedCopyOfTheRealFileIsAClearError(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path real = Paths.get(FashionMnist.DEFAULT_DIR, FashionMnist.TEST_LABELS + ".gz");
        byte[] bytes = Files.readAllBytes(real);
        for (String name : new String[]{FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS,
                FashionMnist.TEST_IMAGES}) {
            Files.copy(Paths.get(FashionMnist.DEFAULT_DIR, name + ".gz"), dir.resolve(name + ".gz"));
        }
        Path cut = Files.write(dir.resolve(FashionMnist.TEST_LABELS + ".gz"),
                Arrays.copyOf(bytes, bytes.length * 2 / 3));
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }
}
