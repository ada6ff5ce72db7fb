package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.core.backend.HeapStorage;
import org.junit.jupiter.api.Test;

class HeapArrayPoolTest {
    private static final long FLOAT = Float.BYTES;

    @Test
    void aReleasedArrayServesTheNextRequestOfItsLength() {
        HeapArrayPool pool = new HeapArrayPool(1000 * FLOAT);
        float[] a = pool.take(100);
        pool.give(a);
        assertEquals(100, pool.pooledFloats());
        assertSame(a, pool.take(100));
        assertNotSame(a, pool.take(100), "only one was idle");
        assertEquals(0, pool.pooledFloats());
    }

    @Test
    void idleArraysStayUnderTheCap() {
        HeapArrayPool pool = new HeapArrayPool(1000 * FLOAT);
        for (int i = 0; i < 3; i++) {
            pool.give(new float[300]);
        }
        pool.give(new float[400]);
        assertEquals(1000, pool.pooledFloats());
        for (int n = 1; n <= 50; n++) {
            pool.give(new float[10 * n]); // many shapes, as several networks in one process make
        }
        assertTrue(pool.pooledFloats() <= 1000, "pooled " + pool.pooledFloats());
    }

    @Test
    void theLengthAskedForLeastRecentlyGoesFirst() {
        HeapArrayPool pool = new HeapArrayPool(1000 * FLOAT);
        float[] a = new float[200];
        float[] b = new float[300];
        pool.give(a);
        pool.give(b);
        pool.give(pool.take(200)); // length 200 used again: now the most recent
        pool.give(new float[600]); // 1100 > 1000: the 300 goes
        assertEquals(800, pool.pooledFloats());
        assertSame(a, pool.take(200));
        assertNotSame(b, pool.take(300));
    }

    @Test
    void anArrayLargerThanTheCapIsNotKept() {
        HeapArrayPool pool = new HeapArrayPool(1000 * FLOAT);
        pool.give(new float[1001]);
        assertEquals(0, pool.pooledFloats());
        HeapArrayPool none = new HeapArrayPool(0);
        none.give(new float[1]);
        assertEquals(0, none.pooledFloats());
    }

    /** Releasing a pooled storage hands its array back (through HeapStorage's recycler). */
    @Test
    void poolRecyclesArraysByLength() {
        HeapArrayPool pool = new HeapArrayPool();
        HeapStorage a = pool.storage(10);
        float[] first = a.data();
        a.release();
        assertEquals(10, pool.pooledFloats());
        HeapStorage b = pool.storage(10);
        assertSame(first, b.data());
        assertEquals(0, pool.pooledFloats());
        HeapStorage c = pool.storage(11);
        assertNotSame(first, c.data());
        assertFalse(b.isReleased());
    }
}
