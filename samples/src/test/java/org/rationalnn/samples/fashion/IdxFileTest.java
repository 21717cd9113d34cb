package org.rationalnn.samples.fashion;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IDX reader on small synthetic files: valid ones, and every kind of damage with a clear message. */
class IdxFileTest {
    @TempDir
    Path dir;

    /** An IDX file of unsigned bytes with the given sizes and payload. */
    static byte[] idx(int[] dims, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(payload);
        out.flush();
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] images(int count) {
        byte[] p = new byte[count * 2 * 3];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 37);
        }
        return p;
    }

    @Test
    void readsPlainAndGzipFiles() throws IOException {
        byte[] payload = images(4);
        byte[] file = idx(new int[]{4, 2, 3}, payload);
        Path plain = Files.write(dir.resolve("x-idx3-ubyte"), file);
        Path gz = Files.write(dir.resolve("x-idx3-ubyte.gz"), gzip(file));
        for (Path p : new Path[]{plain, gz}) {
            IdxFile f = IdxFile.read(p, 3);
            assertArrayEquals(new int[]{4, 2, 3}, f.dims());
            assertEquals(4, f.count());
            for (int i = 0; i < payload.length; i++) {
                assertEquals(payload[i] & 0xFF, f.unsigned(i));
            }
        }
    }

    @Test
    void truncatedPayloadIsAClearError() throws IOException {
        byte[] file = idx(new int[]{4, 2, 3}, images(4));
        byte[] cut = Arrays.copyOf(file, file.length - 5);
        Path plain = Files.write(dir.resolve("cut-idx3-ubyte"), cut);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(plain, 3));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("need 24 bytes")
                && e.getMessage().contains("has 19"), e.getMessage());
        assertTrue(e.getMessage().contains(plain.toString()), e.getMessage());

        // the same data compressed intact: the payload itself is short
        Path gz = Files.write(dir.resolve("cut-idx3-ubyte.gz"), gzip(cut));
        e = assertThrows(IOException.class, () -> IdxFile.read(gz, 3));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedGzipStreamIsAClearError() throws IOException {
        byte[] compressed = gzip(idx(new int[]{400, 2, 3}, images(400)));
        Path gz = Files.write(dir.resolve("half-idx3-ubyte.gz"), Arrays.copyOf(compressed, compressed.length / 2));
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(gz, 3));
        assertTrue(e.getMessage().contains(gz.toString()) && e.getMessage().contains("truncated or damaged"),
                e.getMessage());
    }

    @Test
    void corruptedGzipStreamIsAClearError() throws IOException {
        byte[] compressed = gzip(idx(new int[]{400, 2, 3}, images(400)));
        byte[] bad = compressed.clone();
        bad[bad.length - 6] ^= 0x5A; // inside the CRC-32 of the trailer
        Path gz = Files.write(dir.resolve("crc-idx3-ubyte.gz"), bad);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(gz, 3));
        assertTrue(e.getMessage().contains(gz.toString()) && e.getMessage().contains("damaged"), e.getMessage());

        Path notGzip = Files.write(dir.resolve("plain-bytes-idx3-ubyte.gz"), idx(new int[]{1, 2, 3}, images(1)));
        e = assertThrows(IOException.class, () -> IdxFile.read(notGzip, 3));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void wrongMagicDimensionsAndTrailingBytesAreClearErrors() throws IOException {
        Path text = Files.writeString(dir.resolve("text-idx1-ubyte"), "hello, this is not IDX");
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(text, 1));
        assertTrue(e.getMessage().contains("magic number"), e.getMessage());

        Path labelsAsImages = Files.write(dir.resolve("labels-idx1-ubyte"), idx(new int[]{3}, new byte[]{1, 2, 3}));
        e = assertThrows(IOException.class, () -> IdxFile.read(labelsAsImages, 3));
        assertTrue(e.getMessage().contains("1 dimension(s), expected 3"), e.getMessage());

        byte[] file = idx(new int[]{3}, new byte[]{1, 2, 3});
        Path trailing = Files.write(dir.resolve("trailing-idx1-ubyte"), Arrays.copyOf(file, file.length + 7));
        e = assertThrows(IOException.class, () -> IdxFile.read(trailing, 1));
        assertTrue(e.getMessage().contains("7 unexpected bytes"), e.getMessage());

        Path header = Files.write(dir.resolve("header-idx3-ubyte"), Arrays.copyOf(idx(new int[]{1, 2, 3},
                images(1)), 9));
        e = assertThrows(IOException.class, () -> IdxFile.read(header, 3));
        assertTrue(e.getMessage().contains("ends inside the header"), e.getMessage());

        assertThrows(NoSuchFileException.class, () -> IdxFile.read(dir.resolve("absent"), 1));
    }

    @Test
    void missingDataSetTellsHowToInstallIt() {
        FashionMnist.MissingDataException e = assertThrows(FashionMnist.MissingDataException.class,
                () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist")
                && e.getMessage().contains("--data"), e.getMessage());
    }

    @Test
    void inconsistentSplitIsAClearError() throws IOException {
        byte[] imagesFile = idx(new int[]{2, 28, 28}, new byte[2 * 28 * 28]);
        byte[] labelsFile = idx(new int[]{3}, new byte[]{0, 1, 2});
        for (String prefix : new String[]{"train", "t10k"}) {
            Files.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), gzip(imagesFile));
            Files.write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), gzip(labelsFile));
        }
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("2 images but") && e.getMessage().contains("3 labels"), e.getMessage());

        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idx(new int[]{2}, new byte[]{0, 12})));
        e = assertThrows(IOException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("label 1 is 12"), e.getMessage());
    }
}
