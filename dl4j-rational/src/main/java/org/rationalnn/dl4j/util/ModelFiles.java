package org.rationalnn.dl4j.util;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Saving DL4J models without ever destroying an existing file: the model is written to a temporary file in
 * the target's directory, flushed to disk, and only then moved over the target (atomically where the file
 * system allows). If anything fails, the previous file is untouched and the temporary file is removed.
 */
public final class ModelFiles {

    private ModelFiles() {
    }

    /** Something that writes a complete file to a stream. */
    @FunctionalInterface
    public interface StreamWriter {
        /**
         * Writes the whole content of the file.
         *
         * @param out the stream of the temporary file (closed by the caller afterwards; do not close it)
         * @throws IOException if writing fails; the target is then left untouched
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Saves a {@code MultiLayerNetwork} or {@code ComputationGraph} with {@link ModelSerializer}, replacing
     * {@code target} only after the new file is complete.
     *
     * @param model       the network to save ({@code MultiLayerNetwork} or {@code ComputationGraph})
     * @param target      the file to create or replace; its directory must exist
     * @param saveUpdater whether to include the updater state (needed to continue training exactly)
     * @throws IOException naming the target when the directory does not exist or is not writable, the target is a
     *                     directory, or writing fails
     */
    public static void save(Model model, File target, boolean saveUpdater) throws IOException {
        writeAtomically(target.toPath(), out -> ModelSerializer.writeModel(model, out, saveUpdater));
    }

    /** Gives the new file the old file's permissions, or rw-r--r-- (temporary files start as rw-------). */
    private static void copyPermissions(Path existing, Path tmp) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.exists(existing) ? Files.getPosixFilePermissions(existing)
                    : PosixFilePermissions.fromString("rw-r--r--");
            Files.setPosixFilePermissions(tmp, perms);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the defaults
        }
    }

    /**
     * Writes a file through a temporary sibling and an atomic move: the content goes to a hidden temporary file
     * {@code .<name>.<random>.tmp} in the target's directory, is forced to disk, gets the old file's POSIX
     * permissions (rw-r--r-- for a new file), and then replaces the target (atomically where the file system allows).
     * On any failure the temporary file is deleted and an existing target is left untouched.
     *
     * @param target the file to create or replace (relative paths are resolved against the working directory)
     * @param writer writes the complete content
     * @throws IOException if the parent directory is missing or not writable, the target is a directory, or the
     *                     writer, the flush or the move fails
     */
    public static void writeAtomically(Path target, StreamWriter writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot save to " + absolute + ": parent directory " + dir + " does not exist");
        }
        if (Files.isDirectory(absolute)) {
            throw new IOException("cannot save to " + absolute + ": it is a directory");
        }
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new IOException("cannot save to " + absolute + ": directory " + dir + " is not writable", e);
        }
        boolean moved = false;
        try {
            copyPermissions(absolute, tmp);
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(out);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
