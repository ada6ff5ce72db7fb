package org.jresnet.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.function.BiFunction;
import org.jresnet.core.backend.Backend;

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
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, a) -> {
                    long t0 = System.nanoTime();
                    try {
                        return m.invoke(real, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        nanos.merge(name.apply(m, a), System.nanoTime() - t0, Long::sum);
                    }
                });
    }
}
