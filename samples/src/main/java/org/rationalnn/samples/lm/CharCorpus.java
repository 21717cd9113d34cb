package org.rationalnn.samples.lm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A character-level corpus for language modelling: text files split into training and validation characters, the
 * character vocabulary, and the network inputs built from them.
 *
 * <p><b>Split.</b> The last {@code validationFraction} of every file is validation text, the rest training text, so
 * both sides see every file's style. Files are read as UTF-8 (undecodable bytes are an error naming the file); a path
 * that names a folder stands for the regular files in it, sorted by name, and files reached twice (through symbolic
 * links such as {@code GPL -> GPL-3}) are read once.
 *
 * <p><b>Inputs.</b> A window of T characters becomes features [mb, V + P, T] (NCW): the one-hot character (V = vocabulary
 * size) followed by P sinusoidal position features, sin(t / 10000^(2i/P)) and cos(t / 10000^(2i/P)) for i &lt; P/2,
 * t the position in the window. The labels [mb, V, T] are the one-hot next characters. A linear layer over these
 * features is a character embedding plus a learned projection of fixed sinusoidal positions.
 */
public final class CharCorpus {
    /** Where Debian keeps the license texts that every installation carries (package base-files). */
    public static final String DEBIAN_LICENSES = "/usr/share/common-licenses";

    private final String train;
    private final String validation;
    private final char[] vocabulary;
    private final int[] index = new int[Character.MAX_VALUE + 1];
    private final List<Path> files;

    private CharCorpus(String train, String validation, List<Path> files) {
        this.train = train;
        this.validation = validation;
        this.files = List.copyOf(files);
        Set<Character> chars = new TreeSet<>();
        for (String s : new String[]{train, validation}) {
            for (int i = 0; i < s.length(); i++) {
                chars.add(s.charAt(i));
            }
        }
        vocabulary = new char[chars.size()];
        int k = 0;
        java.util.Arrays.fill(index, -1);
        for (char c : chars) {
            index[c] = k;
            vocabulary[k++] = c;
        }
    }

    /**
     * Reads the files (or folders of files) and splits each into training text and its last
     * {@code validationFraction} as validation text.
     *
     * @throws IllegalArgumentException if a path does not exist, nothing readable is found, the fraction is outside
     *                                  (0, 0.5] or a file is not UTF-8 text
     */
    public static CharCorpus load(List<Path> paths, double validationFraction) {
        if (!(validationFraction > 0 && validationFraction <= 0.5)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 0.5], got " + validationFraction);
        }
        if (paths == null || paths.isEmpty()) {
            throw new IllegalArgumentException("no text files given");
        }
        Set<Path> unique = new LinkedHashSet<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("text file or folder " + p.toAbsolutePath() + " does not exist"
                        + (p.toString().equals(DEBIAN_LICENSES) ? " (it comes with Debian's base-files package;"
                        + " give other text with --text FILE)" : ""));
            }
            try {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.list(p)) {
                        for (Path f : s.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                            unique.add(f.toRealPath());
                        }
                    }
                } else {
                    unique.add(p.toRealPath());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p.toAbsolutePath(), e);
            }
        }
        StringBuilder train = new StringBuilder();
        StringBuilder validation = new StringBuilder();
        List<Path> read = new ArrayList<>();
        for (Path f : unique) {
            String text = readUtf8(f);
            if (text.isEmpty()) {
                continue;
            }
            int cut = (int) Math.round(text.length() * (1 - validationFraction));
            train.append(text, 0, cut);
            validation.append(text, cut, text.length());
            read.add(f);
        }
        if (read.isEmpty()) {
            throw new IllegalArgumentException("no text found in " + paths);
        }
        return new CharCorpus(train.toString(), validation.toString(), read);
    }

    /** A corpus from given training and validation strings (tests, embedding in other programs). */
    public static CharCorpus of(String train, String validation) {
        if (train.isEmpty() || validation.isEmpty()) {
            throw new IllegalArgumentException("training and validation text must not be empty");
        }
        return new CharCorpus(train, validation, List.of());
    }

    /** The default text: Debian's license texts. */
    public static List<Path> defaultText() {
        return List.of(Paths.get(DEBIAN_LICENSES));
    }

    private static String readUtf8(Path f) {
        try {
            byte[] bytes = Files.readAllBytes(f);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text file " + f + " is not UTF-8 text (" + e + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    public String train() {
        return train;
    }

    public String validation() {
        return validation;
    }

    /** The files read, in order (empty for {@link #of}). */
    public List<Path> files() {
        return files;
    }

    /** Vocabulary size V. */
    public int vocabularySize() {
        return vocabulary.length;
    }

    /** The character with index {@code i}. */
    public char character(int i) {
        return vocabulary[i];
    }

    /** Index of {@code c} in the vocabulary, or -1. */
    public int indexOf(char c) {
        return index[c];
    }

    /** Number of input features per step, V + P. */
    public int features(int positions) {
        return vocabulary.length + positions;
    }

    /** Checks that both texts hold at least one window of {@code length} characters plus the next character. */
    public void requireWindow(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("context length must be >= 1, got " + length);
        }
        if (train.length() <= length || validation.length() <= length) {
            throw new IllegalArgumentException("context length " + length + " needs more than that many characters"
                    + " of training and validation text; have " + train.length() + " and " + validation.length());
        }
    }

    /** {@code mb} windows of {@code length} characters at random places of the training text. */
    public DataSet randomTrainingBatch(Random random, int mb, int length, int positions) {
        int[] starts = new int[mb];
        for (int i = 0; i < mb; i++) {
            starts[i] = random.nextInt(train.length() - length);
        }
        return windows(train, starts, length, positions);
    }

    /**
     * The validation text cut into consecutive windows of {@code length} characters (at most {@code maxChars}
     * predicted characters in all; 0 = the whole text), in minibatches of {@code mb} windows.
     */
    public List<DataSet> validationBatches(int mb, int length, int positions, int maxChars) {
        int windows = (validation.length() - 1) / length;
        if (maxChars > 0) {
            windows = Math.min(windows, Math.max(1, maxChars / length));
        }
        List<DataSet> batches = new ArrayList<>();
        for (int w = 0; w < windows; w += mb) {
            int n = Math.min(mb, windows - w);
            int[] starts = new int[n];
            for (int i = 0; i < n; i++) {
                starts[i] = (w + i) * length;
            }
            batches.add(windows(validation, starts, length, positions));
        }
        return batches;
    }

    /** Features and labels of the windows {@code text[start, start + length)} (labels shifted by one). */
    public DataSet windows(String text, int[] starts, int length, int positions) {
        int v = vocabulary.length;
        float[] x = new float[starts.length * features(positions) * length];
        float[] y = new float[starts.length * v * length];
        float[] pos = positionFeatures(length, positions);
        for (int b = 0; b < starts.length; b++) {
            fillFeatures(x, b * features(positions), text, starts[b], length, pos);
            for (int t = 0; t < length; t++) {
                y[(b * v + index(text.charAt(starts[b] + t + 1))) * length + t] = 1f;
            }
        }
        return new DataSet(Nd4j.create(x, new long[]{starts.length, features(positions), length}, DataType.FLOAT),
                Nd4j.create(y, new long[]{starts.length, v, length}, DataType.FLOAT));
    }

    /** Features [1, V + P, T] of a context string, T its length (for generation). */
    public INDArray context(String text, int positions) {
        int length = text.length();
        float[] x = new float[features(positions) * length];
        fillFeatures(x, 0, text, 0, length, positionFeatures(length, positions));
        return Nd4j.create(x, new long[]{1, features(positions), length}, DataType.FLOAT);
    }

    /**
     * Writes one window of an NCW feature array [mb, V + P, T] (zeros on entry), starting at its feature row
     * {@code firstRow} (window index × (V + P)): the one-hot characters {@code text[start, start + length)}, then
     * the position features {@code pos} ([P][T] flattened).
     */
    private void fillFeatures(float[] x, int firstRow, String text, int start, int length, float[] pos) {
        int base = firstRow * length;
        for (int t = 0; t < length; t++) {
            x[base + index(text.charAt(start + t)) * length + t] = 1f;
        }
        System.arraycopy(pos, 0, x, base + vocabulary.length * length, pos.length);
    }

    private int index(char c) {
        int i = index[c];
        if (i < 0) {
            throw new IllegalArgumentException("character '" + c + "' (U+" + String.format("%04X", (int) c)
                    + ") is not in the vocabulary");
        }
        return i;
    }

    /** Sinusoidal position features [P][T] flattened row-major; P must be even. */
    static float[] positionFeatures(int length, int positions) {
        if (positions < 0 || positions % 2 != 0) {
            throw new IllegalArgumentException("position features must be an even number >= 0, got " + positions);
        }
        float[] f = new float[positions * length];
        for (int i = 0; i < positions / 2; i++) {
            double freq = Math.pow(10000.0, -2.0 * i / positions);
            for (int t = 0; t < length; t++) {
                f[(2 * i) * length + t] = (float) Math.sin(t * freq);
                f[(2 * i + 1) * length + t] = (float) Math.cos(t * freq);
            }
        }
        return f;
    }
}
