package org.jresnet.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Storage;

/** A Backend that adds each call's wall time, in nanoseconds, to a map under a name of its choosing. */
final class TimedBackend {
    private TimedBackend() {
    }

    /** Calls are named by method. */
    static Backend wrap(Backend real, Map<String, Long> nanos) {
        return wrap(real, nanos, (m, a) -> m.getName());
    }

    /** Calls are named by {@code name}(method, arguments). */
    static Backend wrap(Backend real, Map<String, Long> nanos, BiFunction<Method, Object[], String> name) {
        return wrap(real, nanos, name, m -> false);
    }

    /**
     * As {@link #wrap(Backend, Map, BiFunction)}, and each call of a method that {@code again} accepts
     * runs a second time straight after, with the same arguments, timed apart under its name + {@value
     * #AGAIN}: the same work on data the first call has just brought into the caches, so the
     * difference is what the first call lost to data that was not in them. Sound because kernels
     * overwrite their outputs (the {@link Backend} contract); a call passing one storage twice (an
     * output that is also an input) is not repeated.
     */
    static Backend wrap(Backend real, Map<String, Long> nanos, BiFunction<Method, Object[], String> name,
                        Predicate<Method> again) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, a) -> {
                    String key = name.apply(m, a);
                    Object result = timed(real, m, a, nanos, key);
                    if (again.test(m) && distinctStorages(a)) {
                        timed(real, m, a, nanos, key + AGAIN);
                    }
                    return result;
                });
    }

    /** Appended to the name of a repeated call's second run. */
    static final String AGAIN = " (again)";

    private static Object timed(Backend real, Method m, Object[] a, Map<String, Long> nanos, String key)
            throws Throwable {
        long t0 = System.nanoTime();
        try {
            return m.invoke(real, a);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            nanos.merge(key, System.nanoTime() - t0, Long::sum);
        }
    }

    private static boolean distinctStorages(Object[] a) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Object o : a == null ? new Object[0] : a) {
            if (o instanceof Storage && !seen.add(o)) {
                return false;
            }
        }
        return true;
    }
}
