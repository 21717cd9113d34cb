package org.rationalnn.samples.fashion;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Paths;

/** Whether tests on the real Fashion-MNIST files run (see {@link FashionMnistRealFilesTest}). */
public final class RealData {
    private RealData() {
    }

    /** Skips the calling test where the files are absent, or fails it if FASHION_MNIST_REQUIRED is set. */
    public static void assumeAvailable() {
        boolean present = FashionMnist.isAvailable(Paths.get(FashionMnist.DEFAULT_DIR));
        if (!present && System.getenv("FASHION_MNIST_REQUIRED") != null) {
            throw new AssertionError("FASHION_MNIST_REQUIRED is set but Fashion-MNIST is not in "
                    + FashionMnist.DEFAULT_DIR + ".\n" + FashionMnist.INSTALL_HINT);
        }
        Assumptions.assumeTrue(present, "Fashion-MNIST not installed in " + FashionMnist.DEFAULT_DIR
                + " (apt-get install dataset-fashion-mnist); skipped");
    }
}
