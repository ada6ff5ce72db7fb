package org.jresnet.bench;

import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.mnist.model.SeedNet;

/** The convolutions of the article's network ({@link SeedNet#convShapes}), by name, at a given batch size. */
final class Layers {
    private Layers() {
    }

    /** conv1 1->16 k5 28x28, res16 16->16 k3 pad 1 12x12, conv2 16->32 k5 12x12, res32 32->32 k3 pad 1 4x4. */
    static Conv2dShape conv(String layer, int batch) {
        int i = switch (layer) {
            case "conv1" -> 0;
            case "res16" -> 1;
            case "conv2" -> 2;
            case "res32" -> 3;
            default -> throw new IllegalArgumentException("unknown layer '" + layer + "'");
        };
        return SeedNet.convShapes(batch).get(i);
    }

    /** "1->16 k5 28x28 b64" for the report. */
    static String describe(Conv2dShape s) {
        return s.c() + "->" + s.oc() + " k" + s.kh() + (s.pad() > 0 ? " p" + s.pad() : "") + " " + s.h() + "x" + s.w()
                + " b" + s.n();
    }
}
