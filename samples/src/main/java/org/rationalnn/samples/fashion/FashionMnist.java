package org.rationalnn.samples.fashion;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 70,000 grey 28×28 images of clothing in 10 classes, 60,000 for
 * training and 10,000 for testing, in MNIST's IDX format. Read from the folder that Debian's
 * {@code dataset-fashion-mnist} package installs ({@value #DEFAULT_DIR}) or any folder with the four files
 * ({@code .gz} or uncompressed).
 */
public final class FashionMnist {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    public static final int ROWS = 28;
    public static final int COLUMNS = 28;
    public static final int CLASSES = 10;
    public static final int TRAIN_COUNT = 60_000;
    public static final int TEST_COUNT = 10_000;
    /** Class names, by label. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** What to tell a user whose data folder lacks the files. */
    public static final String INSTALL_HINT = "Install Fashion-MNIST with\n"
            + "    sudo apt-get install dataset-fashion-mnist     (Debian 11+/Ubuntu 22.04+; files go to "
            + DEFAULT_DIR + ")\n"
            + "or download the four *-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist "
            + "and pass --data DIR.";

    /** One split: images [count, 784] as unsigned bytes (row-major 28×28) and labels 0..9. */
    public static final class Split {
        private final IdxFile images;
        private final IdxFile labels;

        Split(IdxFile images, IdxFile labels) {
            this.images = images;
            this.labels = labels;
        }

        public int size() {
            return labels.count();
        }

        /** Label of example i. */
        public int label(int i) {
            return labels.unsigned(i);
        }

        /** Pixel (r, c) of example i, 0..255. */
        public int pixel(int i, int r, int c) {
            return images.unsigned(i * ROWS * COLUMNS + r * COLUMNS + c);
        }

        /** Number of examples per label. */
        public int[] labelCounts() {
            int[] counts = new int[CLASSES];
            for (int i = 0; i < size(); i++) {
                counts[label(i)]++;
            }
            return counts;
        }

        /**
         * The first {@code limit} examples (all if limit ≤ 0 or larger than the split) as a DataSet: features
         * [n, 784] scaled to [0, 1] (use {@code InputType.convolutionalFlat(28, 28, 1)} for CNNs), one-hot labels
         * [n, 10], float32.
         */
        public DataSet toDataSet(int limit) {
            int n = limit <= 0 ? size() : Math.min(limit, size());
            int d = ROWS * COLUMNS;
            float[] x = new float[n * d];
            float[] y = new float[n * CLASSES];
            byte[] px = images.bytes();
            for (int i = 0; i < n * d; i++) {
                x[i] = (px[i] & 0xFF) / 255f;
            }
            for (int i = 0; i < n; i++) {
                y[i * CLASSES + label(i)] = 1f;
            }
            INDArray features = Nd4j.create(x, new long[]{n, d}, DataType.FLOAT);
            INDArray labelsArr = Nd4j.create(y, new long[]{n, CLASSES}, DataType.FLOAT);
            return new DataSet(features, labelsArr);
        }
    }

    private final Path dir;
    private final Split train;
    private final Split test;

    private FashionMnist(Path dir, Split train, Split test) {
        this.dir = dir;
        this.train = train;
        this.test = test;
    }

    /** Loads from {@value #DEFAULT_DIR}. */
    public static FashionMnist load() throws IOException {
        return load(Paths.get(DEFAULT_DIR));
    }

    /**
     * Loads and checks the four files in {@code dir}.
     *
     * @throws MissingDataException if a file is missing (its message says how to install the data)
     * @throws IOException          naming the file, if one is damaged, truncated or inconsistent
     */
    public static FashionMnist load(Path dir) throws IOException {
        Split train = split(dir, TRAIN_IMAGES, TRAIN_LABELS);
        Split test = split(dir, TEST_IMAGES, TEST_LABELS);
        return new FashionMnist(dir, train, test);
    }

    /** Whether {@code dir} has all four files. */
    public static boolean isAvailable(Path dir) {
        for (String name : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            if (find(dir, name) == null) {
                return false;
            }
        }
        return true;
    }

    private static Split split(Path dir, String imagesName, String labelsName) throws IOException {
        IdxFile images = IdxFile.read(require(dir, imagesName), 3);
        IdxFile labels = IdxFile.read(require(dir, labelsName), 1);
        int[] d = images.dims();
        if (d[1] != ROWS || d[2] != COLUMNS) {
            throw new IOException(images.path() + ": images are " + d[1] + "x" + d[2] + ", expected " + ROWS + "x"
                    + COLUMNS);
        }
        if (images.count() != labels.count()) {
            throw new IOException(images.path() + " has " + images.count() + " images but " + labels.path()
                    + " has " + labels.count() + " labels");
        }
        for (int i = 0; i < labels.count(); i++) {
            if (labels.unsigned(i) >= CLASSES) {
                throw new IOException(labels.path() + ": label " + i + " is " + labels.unsigned(i) + ", expected [0, "
                        + (CLASSES - 1) + "]");
            }
        }
        return new Split(images, labels);
    }

    private static Path require(Path dir, String name) throws MissingDataException {
        Path p = find(dir, name);
        if (p == null) {
            throw new MissingDataException("Fashion-MNIST file " + name + ".gz (or " + name + ") not found in "
                    + dir.toAbsolutePath() + ".\n" + INSTALL_HINT);
        }
        return p;
    }

    private static Path find(Path dir, String name) {
        for (Path p : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** The folder read. */
    public Path dir() {
        return dir;
    }

    /** The 60,000 training examples. */
    public Split train() {
        return train;
    }

    /** The 10,000 test examples. */
    public Split test() {
        return test;
    }

    /** A data file is missing; the message tells how to install the data set. */
    public static final class MissingDataException extends IOException {
        private static final long serialVersionUID = 1L;

        public MissingDataException(String message) {
            super(message);
        }
    }
}
