package org.jresnet.mnist.cli;

import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jresnet.core.Grad;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.train.Evaluation;

/** Classifies single images with a network ({@link ModelFile#load} reads a saved one). */
public final class Predictor {
    public record Prediction(int digit, float[] probabilities) {
    }

    private Predictor() {
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Far more than a photo of a digit needs; a larger header is refused before pixels are allocated. */
    static final long MAX_PIXELS = 50_000_000L;

    /** Decodes a PNG, checking its declared size before allocating the pixels. */
    private static BufferedImage readPng(Path file) throws IOException {
        try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UserError("image " + file + " is not a PNG Java can read");
            }
            javax.imageio.ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new UserError("image " + file + " is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels, too large; scale it down (a digit needs 28x28)");
                }
                BufferedImage img = reader.read(0);
                if (img == null) {
                    throw new UserError("image " + file + " has no picture in it");
                }
                return img;
            } finally {
                reader.dispose();
            }
        }
    }

    /** Digit and softmax probabilities for one image of 784 gray levels 0..255 (white ink on black). */
    public static Prediction predict(Net net, Backend backend, int[] gray) {
        float[] logits;
        boolean wasTraining = net.isTraining();
        net.eval();
        try (Grad g = Grad.disabled(); Scope s = Scope.open()) {
            logits = net.forward(Tensor.of(backend, Mnist.normalise(gray), 1, 1, 28, 28)).toArray();
        } finally {
            if (wasTraining) {
                net.train();
            }
        }
        int best = Evaluation.argmax(logits, 0, logits.length);
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - logits[best]);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return new Prediction(best, p);
    }

    /**
     * Reads a PNG (any size; scaled to 28x28 by area averaging) as 784 gray levels, white ink on
     * black as in MNIST. {@code invert}: "yes", "no", or "auto" = invert when the border is light.
     */
    public static int[] readImage(Path file, String invert) {
        if (!invert.equals("auto") && !invert.equals("yes") && !invert.equals("no")) {
            throw new UserError("--invert must be auto, yes or no, got '" + invert + "'");
        }
        BufferedImage src;
        try {
            if (Files.isDirectory(file)) {
                throw new UserError("image " + file + " is a directory; pass a PNG file");
            }
            if (!Files.isRegularFile(file)) {
                throw new UserError("image " + file + " does not exist");
            }
            byte[] head = new byte[PNG_SIGNATURE.length];
            int got;
            try (var in = Files.newInputStream(file)) {
                got = in.readNBytes(head, 0, head.length);
            }
            if (got == 0) {
                throw new UserError("image " + file + " is empty (0 bytes); pass a PNG file");
            }
            if (got < head.length || !java.util.Arrays.equals(head, PNG_SIGNATURE)) {
                throw new UserError("image " + file + " is not a PNG (it does not start with the PNG signature); convert"
                        + " it to PNG first");
            }
            src = readPng(file);
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserError u) {
                throw u;
            }
            throw new UserError("cannot read image " + file + ": damaged PNG (" + e.getMessage() + ")", e);
        }
        int size = Net.IMAGE_SIZE;
        // Composite onto white first, so transparent backgrounds count as paper.
        BufferedImage rgb = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g0 = rgb.createGraphics();
        g0.setColor(java.awt.Color.WHITE);
        g0.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
        g0.drawImage(src, 0, 0, null);
        g0.dispose();
        Image scaled = src.getWidth() == size && src.getHeight() == size ? rgb
                : rgb.getScaledInstance(size, size, Image.SCALE_AREA_AVERAGING);
        BufferedImage small = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.drawImage(scaled, 0, 0, null);
        g.dispose();
        int[] gray = new int[size * size];
        long border = 0;
        int borderCount = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int c = small.getRGB(x, y);
                int r = (c >> 16) & 0xFF;
                int gr = (c >> 8) & 0xFF;
                int b = c & 0xFF;
                int v = (int) Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
                gray[y * size + x] = v;
                if (x == 0 || y == 0 || x == size - 1 || y == size - 1) {
                    border += v;
                    borderCount++;
                }
            }
        }
        boolean flip = invert.equals("yes") || (invert.equals("auto") && border / (double) borderCount > 127);
        if (flip) {
            for (int i = 0; i < gray.length; i++) {
                gray[i] = 255 - gray[i];
            }
        }
        return gray;
    }
}
