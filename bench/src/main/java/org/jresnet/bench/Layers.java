package org.jresnet.bench;

import org.jresnet.core.backend.Conv2dShape;

/** The convolutions of the article's network, by name, at a given batch size. */
final class Layers {
    private Layers() {
    }

    static Conv2dShape conv(String layer, int batch) {
        return switch (layer) {
            case "conv1" -> new Conv2dShape(batch, 1, 28, 28, 16, 5, 5, 1, 0);    // 1->16 k5, 28x28 -> 24x24
            case "res16" -> new Conv2dShape(batch, 16, 12, 12, 16, 3, 3, 1, 1);   // 16->16 k3 pad 1, 12x12
            case "conv2" -> new Conv2dShape(batch, 16, 12, 12, 32, 5, 5, 1, 0);   // 16->32 k5, 12x12 -> 8x8
            case "res32" -> new Conv2dShape(batch, 32, 4, 4, 32, 3, 3, 1, 1);     // 32->32 k3 pad 1, 4x4
            default -> throw new IllegalArgumentException("unknown layer '" + layer + "'");
        };
    }

    /** "1->16 k5 28x28 b64" for the report. */
    static String describe(Conv2dShape s) {
        return s.c() + "->" + s.oc() + " k" + s.kh() + (s.pad() > 0 ? " p" + s.pad() : "") + " " + s.h() + "x" + s.w()
                + " b" + s.n();
    }
}
