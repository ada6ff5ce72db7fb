package org.jresnet.mnist.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.jresnet.mnist.common.UserError;

/**
 * The IDX format of MNIST: a big-endian header {@code 0x00 0x00 TYPE NDIM}, NDIM big-endian int32
 * dimensions, then the elements row-major. Only unsigned bytes (TYPE 0x08) are read, which is what
 * image and label files use. Gzip-compressed files are recognised by their content, not their name.
 */
public final class Idx {
    public static final int UNSIGNED_BYTE = 0x08;
    private static final int MAX_DIMS = 4;
    /** Larger than any MNIST-style set (the training images are 47 MB); bounds what a header can make us allocate. */
    static final long MAX_BYTES = 1L << 30;

    /** The dimensions and the elements (unsigned bytes, kept as Java bytes: read with {@code & 0xFF}). */
    public record Array(int[] dims, byte[] data) {
        public int count() {
            return dims[0];
        }
    }

    /** The dimensions and the elements as memory: a mapped file's bytes, or a heap array's. */
    public record Contents(int[] dims, MemorySegment data) {
        public int count() {
            return dims[0];
        }
    }

    private Idx() {
    }

    /** Reads an IDX file (raw or gzip); {@code what} names it in errors ("training images"). */
    public static Array read(Path file, String what) {
        String name = file + " (" + what + ")";
        if (Files.isDirectory(file)) {
            throw new UserError(name + " is a directory, not a file; put the IDX file there instead");
        }
        try (InputStream in = open(file)) {
            return read(in, name);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError(name + " does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UserError("cannot read " + name + ": permission denied; make it readable (chmod a+r)");
        } catch (IOException e) {
            throw ioError(e, name);
        }
    }

    /** The one-line error for an I/O failure while reading {@code name} (gzip damage included). */
    static UserError ioError(IOException e, String name) {
        if (e instanceof EOFException) {
            return new UserError(name + " is truncated: the gzip stream ends early (" + e.getMessage()
                    + "); delete it and download it again", e);
        }
        if (e instanceof java.util.zip.ZipException) {
            return new UserError(name + " is not a valid gzip file (" + e.getMessage()
                    + "); delete it and download it again", e);
        }
        if (e.getMessage() != null && e.getMessage().contains("Permission denied")) {
            return new UserError("cannot read " + name + ": permission denied; make it readable (chmod a+r)", e);
        }
        return new UserError("cannot read " + name + ": " + e.getMessage(), e);
    }

    /** Parses an IDX stream (already decompressed); {@code name} is used in error messages. */
    public static Array read(InputStream raw, String name) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int[] dims = header(in, name);
        long total = elements(dims, name);
        byte[] data = readData(in, (int) total);
        if (data.length != total) {
            throw truncated(dims, total, data.length, name);
        }
        if (in.read() != -1) {
            throw trailing(dims, total, name);
        }
        return new Array(dims, data);
    }

    /**
     * Parses IDX contents held in memory (already decompressed: a mapped file); the data is a slice
     * of {@code content}, not a copy. Checked as {@link #read(InputStream, String)} checks a stream.
     */
    public static Contents parse(MemorySegment content, String name) {
        byte[] head = new byte[(int) Math.min(content.byteSize(), 4 + 4 * MAX_DIMS)];
        MemorySegment.copy(content, ValueLayout.JAVA_BYTE, 0, head, 0, head.length);
        int[] dims;
        try {
            dims = header(new DataInputStream(new ByteArrayInputStream(head)), name);
        } catch (IOException e) {
            throw ioError(e, name);
        }
        long offset = 4 + 4L * dims.length;
        long total = elements(dims, name);
        long present = content.byteSize() - offset;
        if (present < total) {
            throw truncated(dims, total, present, name);
        }
        if (present > total) {
            throw trailing(dims, total, name);
        }
        return new Contents(dims, content.asSlice(offset, total));
    }

    /** The magic number and the dimensions, checked; the stream is left at the first element. */
    private static int[] header(DataInputStream in, String name) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new UserError(name + ": file is empty or shorter than the 4-byte IDX header");
        }
        if ((magic >>> 16) != 0) {
            throw new UserError(name + ": not an IDX file (magic number 0x" + String.format("%08x", magic)
                    + " should start with two zero bytes)");
        }
        int type = (magic >>> 8) & 0xFF;
        int ndim = magic & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw new UserError(name + ": IDX element type 0x" + String.format("%02x", type)
                    + " is not supported, expected 0x08 (unsigned byte)");
        }
        if (ndim < 1 || ndim > MAX_DIMS) {
            throw new UserError(name + ": IDX file has " + ndim + " dimensions, expected 1 to " + MAX_DIMS);
        }
        int[] dims = new int[ndim];
        for (int i = 0; i < ndim; i++) {
            try {
                dims[i] = in.readInt();
            } catch (EOFException e) {
                throw new UserError(name + ": truncated IDX header (" + ndim + " dimensions announced, " + i + " present)");
            }
            if (dims[i] < 0) {
                throw new UserError(name + ": dimension " + i + " is negative (" + dims[i] + ")");
            }
        }
        return dims;
    }

    /** The number of elements of an array of {@code dims}, at most {@link #MAX_BYTES}. */
    private static long elements(int[] dims, String name) {
        long total = 1;
        for (int d : dims) {
            // Checked after each factor: four int dimensions can overflow a long (a fuzzing finding).
            total *= d;
            if (total > MAX_BYTES) {
                throw new UserError(name + ": dimensions " + Arrays.toString(dims) + " are too large (more than "
                        + MAX_BYTES + " data bytes); not an MNIST-style file");
            }
        }
        return total;
    }

    private static UserError truncated(int[] dims, long total, long present, String name) {
        return new UserError(name + ": truncated: dimensions " + Arrays.toString(dims) + " need " + total
                + " data bytes, the file holds " + present);
    }

    private static UserError trailing(int[] dims, long total, String name) {
        return new UserError(name + ": " + "unexpected bytes after the " + total + " data bytes of dimensions "
                + Arrays.toString(dims));
    }

    /** Data of up to this size is read straight into one array of its announced size. */
    static final int DIRECT_READ_MAX = 1 << 27;

    /**
     * The next {@code total} bytes, or fewer at the end of the stream. Up to {@link #DIRECT_READ_MAX}
     * they go straight into one array: {@code readNBytes(int)} would read 16 KB pieces and copy them
     * into the result at the end, twice the memory, and a collection in between must move every live
     * piece (the first epoch paid that in pauses of over 100 ms). A larger header size falls back to
     * it, so that a damaged header cannot make us allocate more than the file holds.
     */
    private static byte[] readData(InputStream in, int total) throws IOException {
        if (total > DIRECT_READ_MAX) {
            return in.readNBytes(total);
        }
        byte[] data = new byte[total];
        int got = in.readNBytes(data, 0, total);
        return got == total ? data : Arrays.copyOf(data, got);
    }

    /** Opens a file, decompressing it when it starts with the gzip magic bytes. */
    public static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (isGzip(b0, b1)) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    /** Whether a file's first two bytes are the gzip magic number. */
    static boolean isGzip(int b0, int b1) {
        return b0 == 0x1f && b1 == 0x8b;
    }

    /** The header of an unsigned-byte IDX array of these dimensions. */
    static byte[] header(int[] dims) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length);
        b.putInt((UNSIGNED_BYTE << 8) | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    /** Encodes an unsigned-byte IDX array (tests and tools generate small files with it). */
    public static byte[] encode(int[] dims, byte[] data) {
        byte[] header = header(dims);
        byte[] all = Arrays.copyOf(header, header.length + data.length);
        System.arraycopy(data, 0, all, header.length, data.length);
        return all;
    }

    /** Parses bytes (raw or gzip) in memory; every problem ends in a {@link UserError}. */
    public static Array parse(byte[] content, String name) {
        try {
            InputStream in = new ByteArrayInputStream(content);
            if (content.length >= 2 && isGzip(content[0] & 0xFF, content[1] & 0xFF)) {
                in = new GZIPInputStream(in);
            }
            return read(in, name);
        } catch (IOException e) {
            throw ioError(e, name);
        }
    }
}
