package org.jresnet.mnist.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The MNIST-style preprocessing: crop to the ink, 20x20 box, centre of mass at the centre. */
class MnistStyleTest {
    /** A "7"-like shape of white ink on black: a bar and a diagonal, drawn at {@code scale}. */
    static BufferedImage seven(int w, int h, int left, int top, int scale, boolean darkOnLight) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        int paper = darkOnLight ? 255 : 0;
        int ink = 255 - paper;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, paper);
            }
        }
        for (int i = 0; i < 10 * scale; i++) {
            for (int t = 0; t < 2 * scale; t++) {
                img.getRaster().setSample(left + i, top + t, 0, ink); // the bar
            }
        }
        for (int i = 0; i < 18 * scale; i++) {
            for (int t = 0; t < 2 * scale; t++) {
                img.getRaster().setSample(left + 10 * scale - 1 - i / 2 - t, top + 2 * scale + i, 0, ink); // the stem
            }
        }
        return img;
    }

    @Test
    void aBlankPictureHasNoInk() {
        assertArrayEquals(new int[784], MnistStyle.gray(new BufferedImage(50, 40, BufferedImage.TYPE_INT_ARGB), "auto"));
    }

    @Test
    void placeSizeAndPolarityDoNotMatter() {
        int[] small = MnistStyle.gray(seven(28, 28, 2, 3, 1, false), "auto");
        int[] big = MnistStyle.gray(seven(300, 200, 150, 10, 4, true), "auto");
        int[] big2 = MnistStyle.gray(seven(300, 200, 10, 100, 4, true), "auto");
        assertArrayEquals(big, big2, "the same drawing elsewhere on the page");
        double diff = 0;
        for (int i = 0; i < 784; i++) {
            diff += Math.abs(small[i] - big[i]);
        }
        assertTrue(diff / 784 < 12, "mean difference " + diff / 784);
        // Longer side 20 pixels, centre of mass within half a pixel of the field's centre.
        int top = 28;
        int bottom = -1;
        double mass = 0;
        double my = 0;
        double mx = 0;
        for (int i = 0; i < 784; i++) {
            if (big[i] > 0) {
                top = Math.min(top, i / 28);
                bottom = Math.max(bottom, i / 28);
            }
            mass += big[i];
            my += big[i] * (i / 28);
            mx += big[i] * (i % 28);
        }
        assertEquals(20, bottom - top + 1);
        assertEquals(13.5, my / mass, 0.5 + 1e-9);
        assertEquals(13.5, mx / mass, 0.5 + 1e-9);
    }
}
