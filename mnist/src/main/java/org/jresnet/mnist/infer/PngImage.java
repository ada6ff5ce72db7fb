package org.jresnet.mnist.infer;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.jresnet.mnist.common.UserError;

/**
 * Decodes a PNG from a file (predict) or from bytes (serve) with the same checks: the PNG
 * signature, a declared size no larger than a limit (checked from the header, before the pixels
 * are allocated), and a damaged stream reported as such. Every failure is a {@link UserError}.
 */
public final class PngImage {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Far more than a photo of a digit needs; a larger header is refused before pixels are allocated. */
    public static final long MAX_PIXELS = 50_000_000L;

    private PngImage() {
    }

    /** The PNG in {@code file}; messages name the file. */
    public static BufferedImage read(Path file, long maxPixels) {
        String name = "image " + file;
        if (Files.isDirectory(file)) {
            throw new UserError(name + " is a directory; pass a PNG file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError(name + " does not exist");
        }
        try {
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(SIGNATURE.length);
            }
            checkSignature(head, name);
            try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
                return decode(in, name, maxPixels);
            }
        } catch (IOException | RuntimeException e) {
            throw damaged(e, name);
        }
    }

    /** The PNG in {@code bytes}; {@code name} says what it is in messages (e.g. "the uploaded image"). */
    public static BufferedImage read(byte[] bytes, String name, long maxPixels) {
        checkSignature(Arrays.copyOf(bytes, Math.min(bytes.length, SIGNATURE.length)), name);
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            return decode(in, name, maxPixels);
        } catch (IOException | RuntimeException e) {
            throw damaged(e, name);
        }
    }

    private static void checkSignature(byte[] head, String name) {
        if (head.length == 0) {
            throw new UserError(name + " is empty (0 bytes); pass a PNG file");
        }
        if (head.length < SIGNATURE.length || !Arrays.equals(head, SIGNATURE)) {
            throw new UserError(name + " is not a PNG (it does not start with the PNG signature); convert it to PNG"
                    + " first");
        }
    }

    private static UserError damaged(Exception e, String name) {
        if (e instanceof UserError u) {
            return u;
        }
        return new UserError("cannot read " + name + ": damaged PNG (" + e.getMessage() + ")", e);
    }

    private static BufferedImage decode(ImageInputStream in, String name, long maxPixels) throws IOException {
        var readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new UserError(name + " is not a PNG Java can read");
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            if (pixels > maxPixels) {
                throw new UserError(name + " is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                        + " pixels, too large; scale it down (a digit needs 28x28)");
            }
            BufferedImage img = reader.read(0);
            if (img == null) {
                throw new UserError(name + " has no picture in it");
            }
            return img;
        } finally {
            reader.dispose();
        }
    }
}
