package org.jresnet.mnist;

import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jresnet.core.Grad;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/** Loads a saved model and classifies single images. */
public final class Predictor {
    public record Prediction(int digit, float[] probabilities) {
    }

    private Predictor() {
    }

    /** A SeedNet holding the weights of {@code file} (a model.safetensors or a checkpoint). */
    public static SeedNet load(Backend backend, Path file) {
        SeedNet net = new SeedNet(backend, new Rng(0));
        Safetensors.loadInto(net, Safetensors.read(file).tensors(), file.toString(), Checkpoint.VELOCITY_PREFIX);
        return net;
    }

    /** Digit and softmax probabilities for one image of 784 gray levels 0..255 (white ink on black). */
    public static Prediction predict(SeedNet net, Backend backend, int[] gray) {
        float[] logits;
        try (Grad g = Grad.disabled(); Scope s = Scope.open()) {
            logits = net.forward(Tensor.of(backend, Mnist.normalise(gray), 1, 1, 28, 28)).toArray();
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
            if (!Files.isRegularFile(file)) {
                throw new UserError("image " + file + " does not exist");
            }
            src = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UserError("cannot read image " + file + ": " + e.getMessage());
        }
        if (src == null) {
            throw new UserError(file + " is not an image format Java can read (use a PNG)");
        }
        int size = SeedNet.IMAGE_SIZE;
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
