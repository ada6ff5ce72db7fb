package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.jresnet.core.backend.Conv2dShape;
import org.junit.jupiter.api.Test;

/**
 * The data movements of the channels-last weight gradient against their definitions, on every
 * vector width and tile family the build runs: the shuffle transposes (16 lanes) and the scalar
 * and gather paths beside them. Pure copies, so equality is exact.
 */
class TransposeTest {

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        return a;
    }

    /** packPlanes: A(m, i*p + j) = src[off + (i*M + m)*p + j] in blocks of MR interleaved rows, zero past M. */
    @Test
    void packPlanesMatchesItsDefinition() {
        Random r = new Random(11);
        // p: whole 16-float runs, a tail, shorter than a vector; m: whole blocks and a partial one
        for (int p : new int[] {16, 64, 144, 20, 9}) {
            for (int m : new int[] {8, 16, 32, 12, 5}) {
                for (int images : new int[] {1, 3}) {
                    int off = 7;
                    float[] src = random(r, off + images * m * p + 3);
                    int q = images * p;
                    float[] got = new float[Gemm.blocks(m) * Gemm.MR * q];
                    Arrays.fill(got, Float.NaN);
                    Gemm.packPlanes(src, off, m, p, images, got);
                    float[] want = new float[got.length];
                    for (int row = 0; row < Gemm.blocks(m) * Gemm.MR; row++) {
                        for (int i = 0; i < images; i++) {
                            for (int j = 0; j < p; j++) {
                                int kk = i * p + j;
                                float v = row < m ? src[off + (i * m + row) * p + j] : 0f;
                                want[(row / Gemm.MR * q + kk) * Gemm.MR + row % Gemm.MR] = v;
                            }
                        }
                    }
                    assertArrayEquals(want, got, "m " + m + " p " + p + " images " + images);
                }
            }
        }
    }

    /**
     * packA: dst[(mb*K + k)*mr + r] = src[off + m*rowStride + k*colStride] (m = mb*mr + r), zero
     * past M; A row-major (the weights), column-major (their transpose) and strided both ways.
     */
    @Test
    void packAMatchesItsDefinition() {
        Random r = new Random(13);
        for (int mr : new int[] {Gemm.MR, 4}) {
            for (int m : new int[] {8, 16, 32, 12, 5, 400}) {
                for (int k : new int[] {16, 144, 37, 25, 3}) {
                    // {rowStride, colStride}: row-major, column-major, and a padded row-major
                    for (int[] st : new int[][] {{k, 1}, {1, m}, {k + 3, 1}, {1, m + 2}}) {
                        int off = 5;
                        float[] src = random(r, off + (m - 1) * st[0] + (k - 1) * st[1] + 1 + 4);
                        float[] got = new float[(m + mr - 1) / mr * mr * k];
                        Arrays.fill(got, Float.NaN);
                        Gemm.packA(src, off, st[0], st[1], m, k, got, mr);
                        float[] want = new float[got.length];
                        for (int row = 0; row < (m + mr - 1) / mr * mr; row++) {
                            for (int kk = 0; kk < k; kk++) {
                                want[(row / mr * k + kk) * mr + row % mr] = row < m ? src[off + row * st[0] + kk * st[1]] : 0f;
                            }
                        }
                        assertArrayEquals(want, got, "mr " + mr + " m " + m + " k " + k + " strides " + st[0] + ", " + st[1]);
                    }
                }
            }
        }
    }

    /** toPaddedPixels: xh (images, hp, wp, c) = x channels-last with a zero border. */
    @Test
    void toPaddedPixelsMatchesItsDefinition() {
        Random r = new Random(12);
        // res16, conv2 and res32 (the shuffle path on 16 lanes), and shapes that take the gathers
        Conv2dShape[] shapes = {
            new Conv2dShape(3, 16, 12, 12, 16, 3, 3, 1, 1),
            new Conv2dShape(3, 16, 12, 12, 32, 5, 5, 1, 0),
            new Conv2dShape(3, 32, 4, 4, 32, 3, 3, 1, 1),
            new Conv2dShape(2, 8, 5, 7, 4, 3, 3, 1, 1),
            new Conv2dShape(2, 24, 6, 6, 8, 3, 3, 1, 2),
        };
        for (Conv2dShape s : shapes) {
            int first = 1;
            int images = s.n() - first;
            int hp = s.h() + 2 * s.pad();
            int wp = s.w() + 2 * s.pad();
            float[] x = random(r, s.n() * s.c() * s.h() * s.w());
            float[] got = new float[images * hp * wp * s.c()];
            Arrays.fill(got, Float.NaN);
            Transpose.toPaddedPixels(x, first, images, s, got, Transpose.indexMap(s.h() * s.w()));
            float[] want = new float[got.length];
            for (int i = 0; i < images; i++) {
                for (int c = 0; c < s.c(); c++) {
                    for (int y = 0; y < s.h(); y++) {
                        for (int xo = 0; xo < s.w(); xo++) {
                            want[((i * hp + y + s.pad()) * wp + xo + s.pad()) * s.c() + c] =
                                    x[(((first + i) * s.c() + c) * s.h() + y) * s.w() + xo];
                        }
                    }
                }
            }
            assertArrayEquals(want, got, s.toString());
        }
    }

    /** The two shuffle transposes alone (they exist for 16 lanes only). */
    @Test
    void shuffleTransposesMoveEveryFloatOnce() {
        assumeTrue(Transpose.ZIPS, "the shuffle transposes are for 16-lane vectors; this run has " + Simd.L);
        Random r = new Random(13);
        int p = 37;
        float[] src = random(r, 16 * p + 20);
        float[] got = new float[128 + 5];
        Arrays.fill(got, Float.NaN);
        Transpose.interleave8xL(src, 3, p, got, 5);
        assertInterleaved(src, 3, p, got, 5, 8, 16);
        int[] at = reversedSlots(20, 16);
        float[] out = new float[at.length * 16 + 2];
        Arrays.fill(out, Float.NaN);
        Transpose.transpose16x16(src, 2, p, out, 2, at, 4);
        assertTransposed(src, 2, p, out, 2, at, 4, 16);
    }

    /** Slots for n columns of {@code size} floats, in reverse order. */
    private static int[] reversedSlots(int n, int size) {
        int[] at = new int[n];
        for (int q = 0; q < n; q++) {
            at[q] = (n - 1 - q) * size;
        }
        return at;
    }

    /** Column j of the size x size block at src[s + row*p + j] is at out[dOff + at[q0 + j] + row]. */
    private static void assertTransposed(float[] src, int s, int p, float[] out, int dOff, int[] at, int q0, int size) {
        for (int j = 0; j < size; j++) {
            for (int row = 0; row < size; row++) {
                assertArrayEquals(new float[] {src[s + row * p + j]}, new float[] {out[dOff + at[q0 + j] + row]},
                        "transpose row " + row + " column " + j);
            }
        }
    }
    /** The 4-row interleave alone (it exists for 8 lanes only). */
    @Test
    void interleave4x8MovesEveryFloatOnce() {
        assumeTrue(Transpose.ZIPS4, "the 4-row interleave is for 8-lane vectors; this run has " + Simd.L);
        Random r = new Random(14);
        int p = 29;
        float[] src = random(r, 4 * p + 20);
        float[] got = new float[32 + 6];
        Arrays.fill(got, Float.NaN);
        Transpose.interleave4x8(src, 3, p, got, 6);
        assertInterleaved(src, 3, p, got, 6, 4, 8);
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(new float[] {Float.NaN}, new float[] {got[i]}, "written before its 32 floats at " + i);
        }
    }

    /** {@code rows} rows of {@code cols} floats at src[s + row*p + j] are at got[d + j*rows + row]. */
    private static void assertInterleaved(float[] src, int s, int p, float[] got, int d, int rows, int cols) {
        for (int j = 0; j < cols; j++) {
            for (int row = 0; row < rows; row++) {
                assertArrayEquals(new float[] {src[s + row * p + j]}, new float[] {got[d + j * rows + row]},
                        "interleave row " + row + " column " + j);
            }
        }
    }

    /** The 8 x 8 transpose alone (8 lanes only): columns to the slots a table names. */
    @Test
    void transpose8x8MovesEveryFloatOnce() {
        assumeTrue(Transpose.ZIPS4, "the 8 x 8 transpose is for 8-lane vectors; this run has " + Simd.L);
        Random r = new Random(15);
        int p = 23;
        float[] src = random(r, 8 * p + 20);
        int[] at = reversedSlots(12, 8);
        float[] out = new float[at.length * 8 + 3];
        Arrays.fill(out, Float.NaN);
        Transpose.transpose8x8(src, 2, p, out, 3, at, 4);
        assertTransposed(src, 2, p, out, 3, at, 4, 8);
    }
}
