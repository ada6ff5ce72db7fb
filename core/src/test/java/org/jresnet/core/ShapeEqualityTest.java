package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;
import org.junit.jupiter.api.Test;

/**
 * The shapes' hand-written equals and hashCode see every record component (a component added later
 * and left out of them would make two different shapes share the kernels' cached plans).
 */
class ShapeEqualityTest {
    @Test
    void everyComponentOfAConvShapeCounts() throws Exception {
        check(new Conv2dShape(4, 3, 12, 10, 8, 3, 3, 1, 1));
    }

    @Test
    void everyComponentOfAPoolShapeCounts() throws Exception {
        check(new Pool2dShape(4, 3, 12, 10, 2, 2));
    }

    /** Each component changed by one (a valid shape still) gives a shape not equal to {@code base}. */
    private static <T extends Record> void check(T base) throws Exception {
        RecordComponent[] parts = base.getClass().getRecordComponents();
        Class<?>[] types = new Class<?>[parts.length];
        Object[] values = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            types[i] = parts[i].getType();
            values[i] = parts[i].getAccessor().invoke(base);
        }
        Constructor<?> make = base.getClass().getDeclaredConstructor(types);
        Object same = make.newInstance(values);
        assertEquals(base, same);
        assertEquals(base.hashCode(), same.hashCode());
        assertNotEquals(base, null);
        assertNotEquals(base, "a string");
        for (int i = 0; i < parts.length; i++) {
            Object[] changed = values.clone();
            changed[i] = (Integer) values[i] + 1;
            Object other = make.newInstance(changed);
            assertNotEquals(base, other, parts[i].getName() + " is left out of equals");
            assertNotEquals(base.hashCode(), other.hashCode(), parts[i].getName() + " is left out of hashCode");
        }
    }
}
