package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * {@link Permute2}'s two forms take the same lanes, the ones its lane map names, on every width and
 * for every kind of map the kernels use (zips from either half by 1 lane; by 2 to 8 lanes too, as
 * the transposes once used; even and odd lanes), whichever form this CPU picks: the kernels' own
 * tests run only the picked one. Bit patterns are compared (NaN payloads, signed zeros), as a
 * permute moves bits.
 */
class Permute2Test {
    private static final List<VectorSpecies<Float>> SPECIES =
            List.of(FloatVector.SPECIES_128, FloatVector.SPECIES_256, FloatVector.SPECIES_512);

    /** The kernels' lane maps for n lanes, those that fit. */
    private static List<IntUnaryOperator> maps(int n) {
        List<IntUnaryOperator> maps = new ArrayList<>();
        for (int g = 1; g <= n / 2; g *= 2) {
            int gg = g;
            for (int from : new int[] {0, n / 2}) {
                maps.add(i -> ((i / gg) % 2 == 0 ? 0 : n) + from + i / (2 * gg) * gg + i % gg);
            }
        }
        maps.add(i -> 2 * i);
        maps.add(i -> 2 * i + 1);
        maps.add(i -> i % 2 == 0 ? i / 2 : n + i / 2);
        maps.add(i -> 2 * n - 1 - i); // every lane from the other end: both sources reversed
        return maps;
    }

    @Test
    void bothFormsTakeTheLanesTheMapNames() {
        Random r = new Random(5);
        int checked = 0;
        for (VectorSpecies<Float> s : SPECIES) {
            int n = s.length();
            float[] a = new float[n];
            float[] b = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = Float.intBitsToFloat(r.nextInt());
                b[i] = Float.intBitsToFloat(r.nextInt());
            }
            a[0] = -0f;
            b[n - 1] = Float.intBitsToFloat(0x7fc01234); // a NaN with a payload
            FloatVector va = FloatVector.fromArray(s, a, 0);
            FloatVector vb = FloatVector.fromArray(s, b, 0);
            for (IntUnaryOperator map : maps(n)) {
                float[] want = new float[n];
                for (int i = 0; i < n; i++) {
                    int at = map.applyAsInt(i);
                    want[i] = at < n ? a[at] : b[at - n];
                }
                Permute2 p = Permute2.of(s, map);
                String where = n + " lanes, lane 1 from " + map.applyAsInt(1);
                assertArrayEquals(Bits.of(want), Bits.of(p.bySelect(va, vb).toArray()), "selectFrom, " + where);
                assertArrayEquals(Bits.of(want), Bits.of(p.byRearrange(va, vb).toArray()), "rearrange, " + where);
                assertArrayEquals(Bits.of(want), Bits.of(p.pick(va, vb).toArray()), "pick, " + where);
                checked++;
            }
        }
        assertEquals(8 + 10 + 12, checked, "maps checked: 4, 8 and 16 lanes");
    }
}
