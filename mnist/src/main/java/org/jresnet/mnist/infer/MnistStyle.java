package org.jresnet.mnist.infer;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.jresnet.mnist.common.UserError;

/**
 * Turns any picture of a digit into what MNIST's own images are, so a drawing or a photo meets
 * the network on its training distribution: white ink on black (inverted when the border is
 * light, i.e. dark ink on paper; transparent counts as paper), cropped to the ink, scaled so its
 * longer side is 20 pixels (area averaging, aspect kept), and placed in a 28x28 field with its
 * centre of mass at the centre, as LeCun et al. built MNIST from NIST.
 */
public final class MnistStyle {
    public static final int SIZE = 28;
    /** The box the ink is scaled into (MNIST's 20x20). */
    static final int BOX = 20;
    /** Pixels below this share of the brightest ink do not widen the crop (paper noise, JPEG-like haze). */
    static final double INK_THRESHOLD = 0.2;

    private MnistStyle() {
    }

    /** Checks an {@code --invert} value: auto, yes or no. */
    public static String checkInvert(String invert) {
        if (!invert.equals("auto") && !invert.equals("yes") && !invert.equals("no")) {
            throw new UserError("--invert must be auto, yes or no, got '" + invert + "'");
        }
        return invert;
    }

    /** 784 gray levels 0..255, white ink on black, MNIST-style; all zero when there is no ink. */
    public static int[] gray(BufferedImage src, String invert) {
        checkInvert(invert);
        int w = src.getWidth();
        int h = src.getHeight();
        float[] ink = luminance(src);
        boolean flip = invert.equals("yes") || (invert.equals("auto") && borderMean(ink, w, h) > 127);
        float max = 0;
        for (int i = 0; i < ink.length; i++) {
            if (flip) {
                ink[i] = 255 - ink[i];
            }
            max = Math.max(max, ink[i]);
        }
        int[] out = new int[SIZE * SIZE];
        if (max <= 0) {
            return out;
        }
        // The ink's bounding box.
        float cut = (float) (INK_THRESHOLD * max);
        int x0 = w;
        int y0 = h;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (ink[y * w + x] >= cut) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        int cw = x1 - x0 + 1;
        int ch = y1 - y0 + 1;
        double scale = (double) BOX / Math.max(cw, ch);
        int tw = Math.max(1, (int) Math.round(cw * scale));
        int th = Math.max(1, (int) Math.round(ch * scale));
        float[] box = resample(ink, w, x0, y0, cw, ch, tw, th);
        // Centre of mass to the field's centre (13.5 in pixel indices), kept wholly inside the field.
        double mass = 0;
        double mx = 0;
        double my = 0;
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                float v = box[y * tw + x];
                mass += v;
                mx += v * x;
                my += v * y;
            }
        }
        int ox = clamp((int) Math.round((SIZE - 1) / 2.0 - mx / mass), 0, SIZE - tw);
        int oy = clamp((int) Math.round((SIZE - 1) / 2.0 - my / mass), 0, SIZE - th);
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                out[(oy + y) * SIZE + ox + x] = clamp(Math.round(box[y * tw + x]), 0, 255);
            }
        }
        return out;
    }

    /** Gray levels 0..255 of the picture composited onto white (so transparent is paper). */
    private static float[] luminance(BufferedImage src) {
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.drawImage(src, 0, 0, null);
        g.dispose();
        int[] row = new int[w];
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            rgb.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int c = row[x];
                out[y * w + x] = (float) (0.299 * ((c >> 16) & 0xFF) + 0.587 * ((c >> 8) & 0xFF) + 0.114 * (c & 0xFF));
            }
        }
        return out;
    }

    /** Mean of the outer band one 28th of the picture wide: the pixels that become the 28x28 border. */
    private static double borderMean(float[] v, int w, int h) {
        int bw = Math.max(1, w / SIZE);
        int bh = Math.max(1, h / SIZE);
        double sum = 0;
        long n = 0;
        for (int y = 0; y < h; y++) {
            boolean edgeRow = y < bh || y >= h - bh;
            for (int x = 0; x < w; x++) {
                if (edgeRow || x < bw || x >= w - bw) {
                    sum += v[y * w + x];
                    n++;
                }
            }
        }
        return sum / n;
    }

    /**
     * The crop (x0, y0, cw x ch) of {@code src} (row length {@code w}) resampled to tw x th by
     * exact area averaging: each target pixel is the mean of the source area it covers, weighted
     * by overlap (also when enlarging, where that is a box-filtered nearest neighbour).
     */
    private static float[] resample(float[] src, int w, int x0, int y0, int cw, int ch, int tw, int th) {
        float[] out = new float[tw * th];
        double sx = (double) cw / tw;
        double sy = (double) ch / th;
        for (int ty = 0; ty < th; ty++) {
            double ya = ty * sy;
            double yb = ya + sy;
            for (int tx = 0; tx < tw; tx++) {
                double xa = tx * sx;
                double xb = xa + sx;
                double sum = 0;
                for (int y = (int) ya; y < Math.min(ch, (int) Math.ceil(yb)); y++) {
                    double wy = Math.min(yb, y + 1) - Math.max(ya, y);
                    for (int x = (int) xa; x < Math.min(cw, (int) Math.ceil(xb)); x++) {
                        double wx = Math.min(xb, x + 1) - Math.max(xa, x);
                        sum += wx * wy * src[(y0 + y) * w + x0 + x];
                    }
                }
                out[ty * tw + tx] = (float) (sum / (sx * sy));
            }
        }
        return out;
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
