package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.optable.OpTable;
import org.junit.jupiter.api.Test;

/**
 * Every path a plan can choose is taken by at least one convolution shape of the op table (which
 * {@code SimdOpTableTest} compares with the reference backend), at this run's
 * vector width and tile family (the build runs both), so each is compared with the reference.
 */
class ConvPlanTest {

    @Test
    void theParityShapesTakeEveryPath() {
        Set<ConvPlan.Forward> forward = EnumSet.noneOf(ConvPlan.Forward.class);
        Set<ConvPlan.Input> input = EnumSet.noneOf(ConvPlan.Input.class);
        Set<ConvPlan.Weight> weight = EnumSet.noneOf(ConvPlan.Weight.class);
        OpTable.convShapes().forEach(s -> {
            ConvPlan p = ConvPlan.of(s);
            forward.add(p.forward());
            input.add(p.input());
            weight.add(p.weight());
        });
        assertEquals(EnumSet.allOf(ConvPlan.Forward.class), forward, "forward paths");
        assertEquals(EnumSet.allOf(ConvPlan.Input.class), input, "input-gradient paths");
        assertEquals(EnumSet.allOf(ConvPlan.Weight.class), weight, "weight-gradient paths");
    }

    @Test
    void theArticlesNetworkAtBatch64() {
        // conv1 has one input channel; res16's 144 pixels are whole vectors at every width, and its
        // wide rows would waste 2 of every 14 columns: shifted planes, and its input gradient as a
        // forward pass on them
        assertEquals(ConvPlan.Forward.ONE_CHANNEL, ConvPlan.of(new Conv2dShape(64, 1, 28, 28, 16, 5, 5, 1, 0)).forward());
        ConvPlan res16 = ConvPlan.of(new Conv2dShape(64, 16, 12, 12, 16, 3, 3, 1, 1));
        assertEquals(ConvPlan.Forward.SHIFTED, res16.forward());
        assertEquals(ConvPlan.Input.AS_FORWARD, res16.input());
        assertEquals(ConvPlan.Weight.CHANNELS_LAST, res16.weight());
        assertEquals(ConvPlan.Forward.SHIFTED, ConvPlan.of(new Conv2dShape(64, 16, 12, 12, 32, 5, 5, 1, 0)).forward());
        // conv2's input gradient as a forward pass would build 133 KB of shifted planes an image; on 8
        // lanes each of its output rows is one vector, and the product's tiles fold themselves
        assertEquals(Simd.L == 8 ? ConvPlan.Input.FOLD_IN_TILE : ConvPlan.Input.FOLD,
                ConvPlan.of(new Conv2dShape(64, 16, 12, 12, 32, 5, 5, 1, 0)).input());
        // res32's 16 pixels: one vector on 16 lanes, where the grouped im2col wins; two on 8 lanes,
        // where one image fills the 4 x 2 tile and the shifted planes win, for its input gradient too
        ConvPlan res32 = ConvPlan.of(new Conv2dShape(64, 32, 4, 4, 32, 3, 3, 1, 1));
        if (Simd.L >= 16) {
            assertEquals(ConvPlan.Forward.IM2COL, res32.forward());
            assertEquals(ConvPlan.Input.FOLD, res32.input());
            assertTrue(res32.describe().startsWith("forward im2col"));
        } else {
            assertEquals(ConvPlan.Forward.SHIFTED, res32.forward());
            assertEquals(ConvPlan.Input.AS_FORWARD, res32.input());
            assertTrue(res32.describe().startsWith("forward GEMM on shifted planes"));
        }
        // res32's weight gradient: on 8 lanes a tile's 16 floats of a window row lie 32 floats from the
        // next pixel's, so its chunks shrink until the tile's panel fits in L1, if their 8 partial
        // sums of 36 KB fit in half of L2; dense elsewhere
        int res32Chunk = ConvWeightGradient.chunkImages(new Conv2dShape(64, 32, 4, 4, 32, 3, 3, 1, 1));
        assertEquals(Simd.L <= 8 && Simd.l2Bytes() / 2 >= 8 * 288 * 32 * 4 ? 128 / 16 : 512 / 16, res32Chunk);
        // the CIFAR nets' 64-channel 7x7 convs: smaller chunks would make MBs of partial sums (and
        // the 32-channel 14x14 ones): 512 pixels' worth of images, as res16's and conv2's
        assertEquals(11, ConvWeightGradient.chunkImages(new Conv2dShape(64, 64, 7, 7, 64, 3, 3, 1, 1)));
        assertEquals(3, ConvWeightGradient.chunkImages(new Conv2dShape(64, 32, 14, 14, 32, 3, 3, 1, 1)));
        assertEquals(4, ConvWeightGradient.chunkImages(new Conv2dShape(64, 16, 12, 12, 16, 3, 3, 1, 1)));
        assertEquals(8, ConvWeightGradient.chunkImages(new Conv2dShape(64, 16, 12, 12, 32, 5, 5, 1, 0)));
        // the CIFAR nets' first stage (16 channels, 32x32, pad 1): 6% of the wide columns wasted, kept wide
        assertEquals(ConvPlan.Forward.WIDE, ConvPlan.of(new Conv2dShape(64, 16, 32, 32, 16, 3, 3, 1, 1)).forward());
    }
}
