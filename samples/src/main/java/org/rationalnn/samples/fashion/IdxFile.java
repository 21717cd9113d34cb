package org.rationalnn.samples.fashion;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One file in the IDX format of MNIST and Fashion-MNIST (unsigned bytes only), plain or gzip-compressed
 * (by the {@code .gz} suffix).
 *
 * <p>Layout: a big-endian 32-bit magic number 0x0000TTDD (TT = 0x08 for unsigned bytes, DD = number of
 * dimensions), DD big-endian 32-bit sizes, then the product of the sizes in bytes, row-major. Nothing may follow.
 *
 * <p>Every defect is an {@link IOException} naming the file and what is wrong: a wrong magic number, an
 * unexpected number of dimensions, implausible sizes, a truncated payload (with the number of bytes expected and
 * found), trailing bytes, or a damaged gzip stream (bad header, bad deflate data or a CRC mismatch, which
 * {@link GZIPInputStream} checks once the stream is read to its end, as here).
 */
public final class IdxFile {
    /** Type code of unsigned bytes. */
    static final int UNSIGNED_BYTE = 0x08;
    /** Largest accepted size of one dimension (guards against allocating garbage sizes). */
    static final int MAX_DIMENSION = 10_000_000;
    /** Largest accepted payload. */
    static final long MAX_BYTES = 1L << 31;

    private final Path path;
    private final int[] dims;
    private final byte[] data;

    private IdxFile(Path path, int[] dims, byte[] data) {
        this.path = path;
        this.dims = dims;
        this.data = data;
    }

    /**
     * Reads and checks the whole file.
     *
     * @param path               the file ({@code .gz}: gzip-compressed)
     * @param expectedDimensions 1 for labels, 3 for images
     * @return the file's sizes and bytes
     * @throws NoSuchFileException if the file does not exist
     * @throws IOException         naming the file, for any defect (see the class documentation)
     */
    public static IdxFile read(Path path, int expectedDimensions) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "IDX file not found");
        }
        boolean gzip = path.getFileName().toString().endsWith(".gz");
        try (InputStream raw = Files.newInputStream(path);
             InputStream in = gzip ? new GZIPInputStream(new BufferedInputStream(raw, 1 << 16), 1 << 16)
                     : new BufferedInputStream(raw, 1 << 16);
             DataInputStream data = new DataInputStream(in)) {
            int magic = readHeaderInt(data, path, "magic number");
            int type = (magic >>> 8) & 0xFF;
            int nDims = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE) {
                throw new IOException(path + " is not an IDX file of unsigned bytes: magic number 0x"
                        + String.format("%08X", magic) + ", expected 0x0000080" + expectedDimensions);
            }
            if (nDims != expectedDimensions) {
                throw new IOException(path + " has " + nDims + " dimension(s), expected " + expectedDimensions
                        + (expectedDimensions == 1 ? " (a label file)" : " (an image file)"));
            }
            int[] dims = new int[nDims];
            long total = 1;
            for (int i = 0; i < nDims; i++) {
                dims[i] = readHeaderInt(data, path, "size of dimension " + i);
                if (dims[i] < 0 || dims[i] > MAX_DIMENSION) {
                    throw new IOException(path + ": size of dimension " + i + " is " + dims[i] + ", expected [0, "
                            + MAX_DIMENSION + "]");
                }
                total *= dims[i];
            }
            if (total > MAX_BYTES) {
                throw new IOException(path + ": sizes " + Arrays.toString(dims) + " give " + total
                        + " bytes, more than the " + MAX_BYTES + " accepted");
            }
            byte[] payload = new byte[(int) total];
            int read = data.readNBytes(payload, 0, payload.length);
            if (read < payload.length) {
                throw new IOException(path + " is truncated: sizes " + Arrays.toString(dims) + " need " + total
                        + " bytes of data, the file has " + read);
            }
            long extra = 0;
            byte[] buffer = new byte[8192];
            for (int n; (n = data.read(buffer)) > 0; ) {
                extra += n;
            }
            if (extra > 0) {
                throw new IOException(path + " has " + extra + " unexpected bytes after the " + total
                        + " bytes of data its sizes " + Arrays.toString(dims) + " announce");
            }
            return new IdxFile(path, dims, payload);
        } catch (ZipException | EOFException e) {
            throw new IOException(path + " is truncated or damaged (" + (gzip ? "gzip stream: " : "")
                    + e.getMessage() + "); reinstall or download it again", e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(path.toString())) {
                throw e;
            }
            // GZIPInputStream reports a truncated compressed stream and CRC mismatches this way
            throw new IOException(path + " cannot be read (" + e.getMessage() + "); it may be truncated or "
                    + "damaged", e);
        }
    }

    private static int readHeaderInt(DataInputStream in, Path path, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IOException(path + " is truncated: it ends inside the header (" + what + ")", e);
        }
    }

    /** The file read. */
    public Path path() {
        return path;
    }

    /** The sizes (a copy): [count] for labels, [count, rows, columns] for images. */
    public int[] dims() {
        return dims.clone();
    }

    /** The number of items (the first size). */
    public int count() {
        return dims[0];
    }

    /** The payload as unsigned values 0..255 at flat index i. */
    public int unsigned(int i) {
        return data[i] & 0xFF;
    }

    /** The raw payload (not copied: do not modify). */
    byte[] bytes() {
        return data;
    }
}
